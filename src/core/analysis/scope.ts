// Integer parameters and `let` values, looked up from the innermost block outwards, and the
// evaluation of arithmetic on them.
import { msg, type MessageRef } from '../l10n/format';
import type { Expr, SourceRange } from '../language/ast';
import { FUNCTION_ARITY } from '../language/functions';
import type { AnalysisContext } from './context';
import { closestName } from './suggest';

export interface Binding {
  /** Undefined when the value itself had an error (already reported). */
  readonly value: number | undefined;
  /** Where it was declared; absent for values supplied from outside. */
  readonly declaration?: SourceRange;
}

export class Scope {
  private readonly bindings = new Map<string, Binding>();

  constructor(private readonly parent?: Scope) {}

  define(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }

  hasOwn(name: string): boolean {
    return this.bindings.has(name);
  }

  lookup(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.lookup(name);
  }

  *names(): Generator<string> {
    yield* this.bindings.keys();
    if (this.parent) yield* this.parent.names();
  }

  /** This scope's own bindings (not its parents'). */
  ownBindings(): ReadonlyMap<string, Binding> {
    return this.bindings;
  }

  /** A scope that sees `inner`'s own bindings first, then everything this one sees. */
  overlaidWith(inner: Scope): Scope {
    const overlay = new Scope(this);
    for (const [name, binding] of inner.ownBindings()) overlay.define(name, binding);
    return overlay;
  }
}

/** Values this large cannot be channel counts or sizes; stopping here keeps every sum exact. */
const LARGEST_VALUE = 2 ** 40;

export function evaluate(expr: Expr, scope: Scope, ctx: AnalysisContext): number | undefined {
  switch (expr.kind) {
    case 'number':
      // NaN marks a hole left by syntax-error recovery; the syntax error is already reported.
      return Number.isNaN(expr.value) ? undefined : expr.value;
    case 'ref': {
      const binding = scope.lookup(expr.name.text);
      if (!binding) {
        ctx.error('unknown-name', expr.range, unknownNameMessage(expr.name.text, closestName(expr.name.text, scope.names())), fixFor(closestName(expr.name.text, scope.names())));
        return undefined;
      }
      if (binding.declaration) ctx.markUsed(binding.declaration);
      return binding.value;
    }
    case 'negate': {
      const v = evaluate(expr.operand, scope, ctx);
      return v === undefined ? undefined : -v;
    }
    case 'call': {
      const name = expr.callee.text;
      const arity = FUNCTION_ARITY.get(name);
      if (!arity) {
        const suggestion = closestName(name, FUNCTION_ARITY.keys());
        ctx.error('unknown-name', expr.callee.range, msg('value.unknownFunction', { name, functions: [...FUNCTION_ARITY.keys()].join(', ') }), fixFor(suggestion));
        return undefined;
      }
      if (expr.args.length < arity[0] || expr.args.length > arity[1]) {
        ctx.error('argument', expr.range, msg('value.functionArity', { name, min: arity[0], max: arity[1], count: expr.args.length }));
        return undefined;
      }
      const values: number[] = [];
      for (const arg of expr.args) {
        const v = evaluate(arg, scope, ctx);
        if (v === undefined) return undefined;
        values.push(v);
      }
      const result = applyFunction(name, values);
      if (result === undefined || !Number.isFinite(result)) {
        ctx.error('argument', expr.range, msg('value.functionDomain', { name, values: values.join(', ') }));
        return undefined;
      }
      return result;
    }
    case 'binary': {
      const left = evaluate(expr.left, scope, ctx);
      const right = evaluate(expr.right, scope, ctx);
      if (left === undefined || right === undefined) return undefined;
      let result: number;
      switch (expr.op) {
        case '+':
          result = left + right;
          break;
        case '-':
          result = left - right;
          break;
        case '*':
          result = left * right;
          break;
        case '/':
          if (right === 0) {
            ctx.error('argument', expr.range, msg('value.divisionByZero'));
            return undefined;
          }
          // Integer operands divide like Python's `//` (a width of 64 * 26 / 64 stays whole).
          result = Number.isInteger(left) && Number.isInteger(right) ? Math.floor(left / right) : left / right;
          break;
      }
      if (!Number.isFinite(result) || Math.abs(result) > LARGEST_VALUE) {
        ctx.error('too-large', expr.range, msg('value.tooLarge', { value: result, limit: LARGEST_VALUE }));
        return undefined;
      }
      return result;
    }
  }
}

/** The functions of language/functions.ts, as Python computes them (torchvision's `_make_divisible`, `round` half to even). */
export function applyFunction(name: string, values: readonly number[]): number | undefined {
  const [a = Number.NaN, b = Number.NaN, c] = values;
  switch (name) {
    case 'make_divisible':
      return b > 0 ? makeDivisible(a, b, c) : undefined;
    case 'round':
      return roundHalfEven(a);
    case 'ceil':
      return Math.ceil(a);
    case 'floor':
      return Math.floor(a);
    case 'log2':
      return a > 0 ? Math.log2(a) : undefined;
    case 'abs':
      return Math.abs(a);
    case 'odd':
      return Number.isInteger(a) ? (Math.abs(a) % 2 === 1 ? a : a + 1) : undefined;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    default:
      return undefined;
  }
}

/**
 * torchvision's and timm's `_make_divisible`: `v` to the nearest multiple of `divisor`, at least
 * `minValue` (the divisor), and one divisor more when rounding lost over `1 - roundLimit` of it.
 */
export function makeDivisible(v: number, divisor: number, minValue?: number, roundLimit = 0.9): number {
  const rounded = Math.max(minValue ?? divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  return rounded < roundLimit * v ? rounded + divisor : rounded;
}

/** Python's `round`: halves go to the even neighbour (`round(2.5)` is 2). */
export function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function unknownNameMessage(name: string, suggestion: string | undefined): MessageRef {
  return suggestion === undefined ? msg('name.unknown', { name }) : msg('name.unknownSuggest', { name, suggestion });
}

export function fixFor(suggestion: string | undefined): { fix?: { kind: 'rename'; to: string } } {
  return suggestion === undefined ? {} : { fix: { kind: 'rename', to: suggestion } };
}
