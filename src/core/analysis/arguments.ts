// Matches the arguments written after a layer, block or setting against what it accepts, and
// turns each into a checked value. Every mismatch becomes a diagnostic that names the fix.
import { msg, type MessageRef, type ParamValue } from '../l10n/format';
import type { Arg, Expr, SourceRange } from '../language/ast';
import type { AnalysisContext } from './context';
import { evaluate, fixFor, type Scope } from './scope';
import { closestName } from './suggest';

export type ArgType = 'int' | 'number' | 'kernel' | 'shape' | 'flag' | 'word';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  /** May be given without its name, in this order. */
  readonly positional?: boolean;
  /** For `word`: the accepted words. */
  readonly words?: readonly string[];
  /** Accepts several values (`decay 0.1 at 32k, 48k`). */
  readonly list?: boolean;
  /** What it is, for completion and messages (a catalogue message: said in the client's language). */
  readonly description: MessageRef;
}

export type BoundValue =
  | { readonly kind: 'number'; readonly value: number; readonly range: SourceRange }
  | { readonly kind: 'numbers'; readonly values: readonly number[]; readonly range: SourceRange }
  | { readonly kind: 'flag'; readonly value: boolean; readonly range: SourceRange }
  | { readonly kind: 'word'; readonly value: string; readonly range: SourceRange };

export class BoundArgs {
  constructor(private readonly values: Map<string, BoundValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  range(name: string): SourceRange | undefined {
    return this.values.get(name)?.range;
  }

  number(name: string): number | undefined {
    const v = this.values.get(name);
    return v?.kind === 'number' ? v.value : undefined;
  }

  numbers(name: string): readonly number[] | undefined {
    const v = this.values.get(name);
    if (v?.kind === 'numbers') return v.values;
    if (v?.kind === 'number') return [v.value];
    return undefined;
  }

  /** Two numbers, as a kernel is held (`3` was stored as `3x3`). */
  pair(name: string): readonly [number, number] | undefined {
    const [first, second] = this.numbers(name) ?? [];
    return first !== undefined && second !== undefined ? [first, second] : undefined;
  }

  flag(name: string): boolean | undefined {
    const v = this.values.get(name);
    return v?.kind === 'flag' ? v.value : undefined;
  }

  word(name: string): string | undefined {
    const v = this.values.get(name);
    return v?.kind === 'word' ? v.value : undefined;
  }
}

/**
 * Where the argument `name` is written as a plain number (`split 3`, `kernel 4`), given by name or,
 * when `positional`, as the first unnamed one: the number's own place, which a quick fix may
 * replace by another number without losing a parameter or an expression the user wrote.
 */
export function numberWritten(args: readonly Arg[], name: string, positional: boolean): SourceRange | undefined {
  const arg = args.find((a) => a.value !== undefined && (a.name?.text === name || (positional && a.name === undefined)));
  const parts = arg?.value?.parts;
  const only = parts?.length === 1 ? parts[0] : undefined;
  return only?.kind === 'number' ? only.range : undefined;
}

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);

/**
 * Binds `args` to `specs` for the thing called `what` (used in messages, e.g. "`conv`").
 * Bad arguments are reported and left out; the caller falls back to defaults.
 */
export function bindArgs(args: readonly Arg[], specs: readonly ArgSpec[], what: MessageRef, scope: Scope, ctx: AnalysisContext): BoundArgs {
  const values = new Map<string, BoundValue>();
  const byName = new Map(specs.map((s) => [s.name, s]));
  const positional = specs.filter((s) => s.positional);
  let nextPositional = 0;
  let lastList: { spec: ArgSpec; values: number[]; range: SourceRange } | undefined;

  for (const arg of args) {
    const named = arg.name !== undefined && (arg.value !== undefined || byName.get(arg.name.text)?.type === 'flag');
    let spec: ArgSpec | undefined;
    if (named && arg.name) {
      spec = byName.get(arg.name.text);
      if (!spec) {
        const suggestion = closestName(arg.name.text, byName.keys());
        ctx.error(
          'argument',
          arg.name.range,
          suggestion === undefined
            ? msg('argument.noSuch', { what, name: arg.name.text, specs: describe(specs) })
            : msg('argument.noSuchSuggest', { what, name: arg.name.text, suggestion, specs: describe(specs) }),
          fixFor(suggestion),
        );
        lastList = undefined;
        continue;
      }
    } else {
      // A positional value continues a list argument (`at 32k, 48k`) when one is open.
      if (lastList) {
        const n = numberOf(arg, scope, ctx, lastList.spec, what);
        if (n !== undefined) {
          lastList.values.push(n);
          values.set(lastList.spec.name, { kind: 'numbers', values: lastList.values, range: lastList.range });
        }
        continue;
      }
      while (nextPositional < positional.length && values.has(positional[nextPositional]?.name ?? '')) nextPositional++;
      spec = positional[nextPositional];
      if (!spec) {
        ctx.error('argument', arg.range, msg('argument.tooMany', { what, specs: describe(specs) }));
        continue;
      }
      nextPositional++;
    }
    if (values.has(spec.name)) {
      ctx.error('argument', arg.range, msg('argument.twice', { what, name: spec.name }));
      continue;
    }
    const bound = convert(arg, spec, named, what, scope, ctx);
    lastList = undefined;
    if (!bound) continue;
    if (spec.list && bound.kind === 'number') {
      lastList = { spec, values: [bound.value], range: bound.range };
      values.set(spec.name, { kind: 'numbers', values: lastList.values, range: bound.range });
    } else {
      values.set(spec.name, bound);
    }
  }
  return new BoundArgs(values);
}

function describe(specs: readonly ArgSpec[]): ParamValue {
  if (specs.length === 0) return msg('term.noArguments');
  return specs.map((s) => (s.positional ? `${s.name}` : `\`${s.name}\``)).join(', ');
}

function convert(arg: Arg, spec: ArgSpec, named: boolean, what: MessageRef, scope: Scope, ctx: AnalysisContext): BoundValue | undefined {
  const parts: readonly Expr[] = arg.value?.parts ?? (arg.name && !named ? [refTo(arg)] : []);
  const range = arg.range;
  switch (spec.type) {
    case 'flag': {
      if (!arg.value) return { kind: 'flag', value: true, range };
      const word = wordOf(parts);
      if (word !== undefined && (TRUE_WORDS.has(word) || FALSE_WORDS.has(word))) return { kind: 'flag', value: TRUE_WORDS.has(word), range };
      const only = parts.length === 1 ? parts[0] : undefined;
      const n = only && word === undefined ? evaluate(only, scope, ctx) : undefined;
      if (n === 0 || n === 1) return { kind: 'flag', value: n === 1, range };
      ctx.error('argument', range, msg('argument.flag', { name: spec.name, what }));
      return undefined;
    }
    case 'word': {
      const word = wordOf(parts);
      if (word === undefined) {
        ctx.error('argument', range, msg('argument.wordOneOf', { name: spec.name, what, words: (spec.words ?? []).join(', ') }));
        return undefined;
      }
      if (spec.words && !spec.words.includes(word)) {
        const suggestion = closestName(word, spec.words);
        ctx.error(
          'argument',
          range,
          suggestion === undefined
            ? msg('argument.badWord', { word, name: spec.name, what, words: spec.words.join(', ') })
            : msg('argument.badWordSuggest', { word, name: spec.name, what, words: spec.words.join(', '), suggestion }),
          fixFor(suggestion),
        );
        return undefined;
      }
      return { kind: 'word', value: word, range };
    }
    case 'kernel':
    case 'shape': {
      const wanted = spec.type === 'kernel' ? [1, 2] : [3];
      if (!wanted.includes(parts.length)) {
        const example = spec.type === 'kernel' ? '`3x3` or `3`' : '`224x224x3`';
        ctx.error('argument', range, msg('argument.writtenLike', { name: spec.name, what, example }));
        return undefined;
      }
      const values: number[] = [];
      for (const part of parts) {
        const v = evaluate(part, scope, ctx);
        if (v === undefined) return undefined;
        if (!Number.isInteger(v) || v < 1) {
          ctx.error('argument', part.range, msg('argument.wholeNumbersAtLeast1', { name: spec.name, what, value: v }));
          return undefined;
        }
        values.push(v);
      }
      if (values.length === 1) values.push(...values);
      return { kind: 'numbers', values, range };
    }
    case 'int':
    case 'number': {
      const n = numberOf(arg, scope, ctx, spec, what, parts);
      return n === undefined ? undefined : { kind: 'number', value: n, range };
    }
  }
}

function numberOf(arg: Arg, scope: Scope, ctx: AnalysisContext, spec: ArgSpec, what: MessageRef, given?: readonly Expr[]): number | undefined {
  const parts = given ?? arg.value?.parts ?? (arg.name ? [refTo(arg)] : []);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (!only) {
    ctx.error('argument', arg.range, msg('argument.singleNumber', { name: spec.name, what, description: spec.description }));
    return undefined;
  }
  const v = evaluate(only, scope, ctx);
  if (v === undefined) return undefined;
  if (spec.type === 'int' && !Number.isInteger(v)) {
    ctx.error('argument', arg.range, msg('argument.wholeNumber', { name: spec.name, what, value: v }));
    return undefined;
  }
  return v;
}

function refTo(arg: Arg): Expr {
  const name = arg.name ?? { text: '', range: arg.range };
  return { kind: 'ref', name, range: name.range };
}

/** A value written as a single bare word (`B`, `cifar10`, `v1.5`). */
function wordOf(parts: readonly Expr[]): string | undefined {
  const only = parts.length === 1 ? parts[0] : undefined;
  return only?.kind === 'ref' ? only.name.text : undefined;
}

/** Reports an integer argument outside [min, max]; true when it is fine. */
export function checkRange(value: number, min: number, range: SourceRange, message: string, ctx: AnalysisContext): boolean {
  if (value >= min) return true;
  ctx.error('argument', range, message);
  return false;
}
