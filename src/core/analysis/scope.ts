// Integer parameters and `let` values, looked up from the innermost block outwards, and the
// evaluation of arithmetic on them.
import { msg, type MessageRef } from '../l10n/format';
import type { Expr, SourceRange } from '../language/ast';
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

function unknownNameMessage(name: string, suggestion: string | undefined): MessageRef {
  return suggestion === undefined ? msg('name.unknown', { name }) : msg('name.unknownSuggest', { name, suggestion });
}

export function fixFor(suggestion: string | undefined): { fix?: { kind: 'rename'; to: string } } {
  return suggestion === undefined ? {} : { fix: { kind: 'rename', to: suggestion } };
}
