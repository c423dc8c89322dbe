// An `experiment`: a set of variants (a grid over a template's parameters and/or a list of the
// file's models), seeds, and recipe overrides shared by all. Each variant is expanded and checked
// like a model; what goes wrong in one is reported on the experiment, naming the variant, before
// anything runs.
//
//   experiment fig6 {
//     grid   cifar_plain(n = 3, 5, 7, 9)        // four variants: n = 3, n = 5, …
//     grid   cifar_resnet(n = 3, 5, 7, 9)
//     models resnet110                           // models of the file, as they are
//     seeds  1, 2, 3                             // every variant once per seed
//     train { iterations 2k }                    // over each variant's own recipe
//   }
//
// An experiment's own `let`s are seen by its grid values, seeds and overrides (and nothing outside it).
// A value of a grid may be a bare name (`grid t(n = 3, deep)`): after `name =`, a name is a value.
import type { Arg, ExperimentDecl, Expr, ModelDecl, Name, Setting, SourceRange, Statement, TrainBlock } from '../language/ast';
import type { Diagnostic } from '../diagnostics';
import type { AnalysisContext } from './context';
import type { ModelNode } from './network';
import { evaluate, Scope, fixFor } from './scope';
import { defineLet } from './expand';
import { closestName, didYouMean } from './suggest';

/**
 * The most runs (variants × seeds) one experiment may queue. The paper's largest comparison
 * (Table 6 with five seeds) is under 100; a grid past this is a typo in a value list, and expanding
 * each variant would take the editor's time.
 */
export const MAX_EXPERIMENT_RUNS = 500;

/** One variant: a template instance of the grid, or a model of the file, with the experiment's recipe. */
export interface VariantNode {
  /** A name that is also a folder name: `cifar_plain_n3`, `resnet20`. */
  readonly id: string;
  /** As written: `cifar_plain(n = 3)`, `resnet20`. */
  readonly label: string;
  /** The template's parameters of a grid variant. */
  readonly params: Readonly<Record<string, number>>;
  /** The expanded model (named `<experiment>.<id>`), absent when the variant has errors. */
  readonly model?: ModelNode | undefined;
  /** The grid line or the model's name in `models`. */
  readonly range: SourceRange;
}

export interface ExperimentNode {
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly range: SourceRange;
  readonly variants: readonly VariantNode[];
  /** Every variant runs once per seed; empty: once, with its recipe's seed. */
  readonly seeds: readonly number[];
  /** True when every variant was expanded without an error. */
  readonly ok: boolean;
}

/** The model of a variant, qualified so it never meets a model of the file: `fig6.cifar_plain_n3`. */
export function variantModelName(experiment: string, variantId: string): string {
  return `${experiment}.${variantId}`;
}

/** The experiment's `train { … }` over a variant's recipe, and the experiment's scope (its `let`s) its values are read in. */
export interface RecipeOverride {
  readonly train: TrainBlock;
  readonly scope: Scope;
}

/** How analyze.ts expands one model: `named` gives the name and place, `decl` the body or the instance. */
export type ModelAnalyzer = (decl: ModelDecl, trainOverride: RecipeOverride | undefined) => ModelNode | undefined;

/**
 * Where each setting of a variant's merged recipe reads its names: the model's own settings in the
 * model's scope; the experiment's overrides in the experiment's own `let`s first, then the
 * variant's (its parameters, its lets, the file's), so `iterations 100 * n` still follows the grid.
 */
export function overrideScopes(modelScope: Scope, override: RecipeOverride): (setting: Setting) => Scope {
  const overrides = new Set(override.train.settings);
  const overlay = modelScope.overlaidWith(override.scope);
  return (setting) => (overrides.has(setting) ? overlay : modelScope);
}

interface Grid {
  readonly template: Name;
  readonly dimensions: readonly { readonly name: Name; readonly values: readonly { readonly value: number; readonly arg: Arg }[] }[];
  readonly range: SourceRange;
}

export function analyzeExperiment(decl: ExperimentDecl, ctx: AnalysisContext, models: ReadonlyMap<string, ModelDecl>, analyzeModel: ModelAnalyzer): ExperimentNode {
  const scope = new Scope(ctx.topScope);
  const grids: Grid[] = [];
  const listed: Name[] = [];
  let seeds: number[] = [];
  let train: TrainBlock | undefined;
  const seen = new Set<string>();
  for (const statement of decl.body) readStatement(statement);

  function readStatement(statement: Statement): void {
    switch (statement.kind) {
      case 'let':
        defineLet(statement, scope, ctx);
        return;
      case 'train':
        if (train) ctx.error('recipe', statement.keywordRange, 'an experiment has one `train { … }` of overrides; merge the two');
        else train = statement;
        return;
      case 'line': {
        const call = statement.items[0];
        if (statement.label?.text !== 'grid' || statement.items.length !== 1 || call?.kind !== 'call' || call.repeat || call.trailing.length > 0) {
          ctx.error('experiment', statement.range, 'an experiment holds `grid template(param = v1, v2, …)`, `models a, b`, `seeds 1, 2` and `train { … }` lines, not layers');
          return;
        }
        const grid = readGrid(call.callee, call.args, statement.range);
        if (grid) grids.push(grid);
        return;
      }
      case 'setting':
        readSetting(statement);
        return;
    }
  }

  function readGrid(template: Name, args: readonly Arg[], range: SourceRange): Grid | undefined {
    // A grid instantiates its template, whether or not its variants build: no "never instantiated".
    const named = models.get(template.text);
    if (named?.params) ctx.markUsed(named.name.range);
    const dimensions: { name: Name; values: { value: number; arg: Arg }[]; failed?: boolean }[] = [];
    /** One value of the dimension named last, evaluated in the experiment's scope. */
    const addValue = (expr: Expr, arg: Arg) => {
      const number = evaluate(expr, scope, ctx);
      const dimension = dimensions.at(-1);
      if (dimension === undefined) return;
      // Its error is said where the value is; the grid is not called empty for it too.
      if (number === undefined) dimension.failed = true;
      if (number === undefined) return;
      if (dimension.values.some((v) => v.value === number)) {
        ctx.error('duplicate', arg.range, `duplicate variant: \`${dimension.name.text} = ${number}\` is already in this grid; remove one`);
        return;
      }
      dimension.values.push({ value: number, arg });
    };
    for (const arg of args) {
      if (arg.name && !arg.value) {
        // A bare name after `param =` is a value (a `let`), unless it names one of the template's parameters.
        const isParameter = models.get(template.text)?.params?.some((p) => p.name.text === arg.name?.text) ?? false;
        if (dimensions.length === 0 || isParameter) {
          ctx.error('experiment', arg.range, `\`${arg.name.text}\` has no values: write \`${arg.name.text} = 3, 5\``);
          continue;
        }
        const ref: Expr = { kind: 'ref', name: arg.name, range: arg.range };
        addValue(ref, arg);
        continue;
      }
      if (arg.name) {
        if (dimensions.some((d) => d.name.text === arg.name?.text)) {
          ctx.error('duplicate', arg.name.range, `\`${arg.name.text}\` is listed twice in this grid; put all its values after one \`${arg.name.text} =\``);
          continue;
        }
        dimensions.push({ name: arg.name, values: [] });
      } else if (dimensions.length === 0) {
        ctx.error('experiment', arg.range, `a grid names the parameter before its values: \`${template.text}(n = 3, 5, 7)\``);
        return undefined;
      }
      const value = arg.value;
      const part = value?.parts.length === 1 ? value.parts[0] : undefined;
      if (part === undefined) {
        ctx.error('experiment', arg.range, 'each value of a grid is one number');
        continue;
      }
      addValue(part, arg);
    }
    if (dimensions.length === 0 || dimensions.some((d) => d.values.length === 0)) {
      const empty = dimensions.find((d) => d.values.length === 0);
      if (empty?.failed) return undefined;
      ctx.error(
        'experiment',
        empty?.name.range ?? range,
        `empty grid: give ${empty ? `\`${empty.name.text}\`` : 'a parameter'} at least one value, e.g. \`${template.text}(${empty?.name.text ?? 'n'} = 3, 5)\``,
      );
      return undefined;
    }
    return { template, dimensions, range };
  }

  function readSetting(setting: Setting): void {
    const key = setting.key.text;
    if (key === 'models') {
      if (setting.args.length === 0) ctx.error('experiment', setting.range, '`models` lists models of this file: `models resnet20, plain20`');
      for (const arg of setting.args) {
        if (!arg.name || arg.value) {
          ctx.error('experiment', arg.range, '`models` lists names of models in this file, separated by commas: `models resnet20, plain20`');
          continue;
        }
        listed.push(arg.name);
      }
    } else if (key === 'seeds') {
      if (setting.args.length === 0) ctx.error('experiment', setting.range, '`seeds` lists whole numbers: `seeds 1, 2, 3`');
      const values: number[] = [];
      for (const arg of setting.args) {
        // A number, an expression, or a bare name (a `let`).
        const bare: Expr | undefined = arg.name && !arg.value ? { kind: 'ref', name: arg.name, range: arg.range } : undefined;
        const part = bare ?? (!arg.name && arg.value?.parts.length === 1 ? arg.value.parts[0] : undefined);
        const value = part === undefined ? undefined : evaluate(part, scope, ctx);
        if (value === undefined || !Number.isInteger(value) || value < 0) {
          if (part === undefined || value !== undefined) ctx.error('experiment', arg.range, 'a seed is a whole number of at least 0: `seeds 1, 2, 3`');
          continue;
        }
        if (values.includes(value)) {
          ctx.error('duplicate', arg.range, `duplicate seed ${value}: every variant would train twice with it; remove one`);
          continue;
        }
        values.push(value);
      }
      if (seen.has('seeds')) ctx.error('duplicate', setting.key.range, '`seeds` is set twice in this experiment; list them all on one line');
      else seeds = values;
      seen.add('seeds');
    } else {
      const suggestion = closestName(key, ['grid', 'models', 'seeds', 'train']);
      ctx.error('unknown-name', setting.key.range, `\`${key}\` is not part of an experiment (grid, models, seeds, train)${didYouMean(suggestion)}`, fixFor(suggestion));
    }
  }

  // How many runs before expanding any: a grid of 10,000 variants is refused, not analyzed.
  const variantCount = grids.reduce((sum, g) => sum + g.dimensions.reduce((product, d) => product * d.values.length, 1), 0) + listed.length;
  const runCount = variantCount * Math.max(1, seeds.length);
  const base = { name: decl.name.text, nameRange: decl.name.range, range: decl.range, seeds };
  if (variantCount === 0) {
    if (!ctx.diagnostics.some((d) => d.severity === 'error' && within(d.range, decl.range))) {
      ctx.error('experiment', decl.name.range, `experiment \`${decl.name.text}\` has no variants: add \`grid template(param = 3, 5)\` or \`models a, b\``);
    }
    return { ...base, variants: [], ok: false };
  }
  if (runCount > MAX_EXPERIMENT_RUNS) {
    const seedText = seeds.length > 1 ? ` × ${seeds.length} seeds` : '';
    ctx.error(
      'too-large',
      decl.name.range,
      `experiment \`${decl.name.text}\` has ${variantCount.toLocaleString('en-US')} variants${seedText} = ${runCount.toLocaleString('en-US')} runs, more than the ${MAX_EXPERIMENT_RUNS} one experiment may queue; narrow the grid's value lists or split it into several experiments`,
    );
    return { ...base, variants: [], ok: false };
  }

  const variants: VariantNode[] = [];
  const ids = new Map<string, SourceRange>();
  let ok = true;
  const add = (id: string, label: string, params: Record<string, number>, range: SourceRange, decl: ModelDecl) => {
    const earlier = ids.get(id);
    if (earlier) {
      ctx.error('duplicate', range, `duplicate variant \`${label}\`: it is already in this experiment; remove one`, { related: [{ range: earlier, message: 'first listed here' }] });
      return;
    }
    ids.set(id, range);
    const { value: model, diagnostics } = ctx.capture(() => analyzeModel(decl, train && { train, scope }));
    reportVariant(label, range, base.range, diagnostics, ctx);
    if (!model || diagnostics.some((d) => d.severity === 'error')) ok = false;
    variants.push({ id, label, params, range, model: model && !diagnostics.some((d) => d.severity === 'error') ? model : undefined });
  };

  for (const grid of grids) {
    const template = models.get(grid.template.text);
    const unknown = template?.params && grid.dimensions.find((d) => !template.params?.some((p) => p.name.text === d.name.text));
    if (template?.params && unknown) {
      const names = template.params.map((p) => p.name.text);
      const suggestion = closestName(unknown.name.text, names);
      ctx.error('unknown-name', unknown.name.range, `\`${grid.template.text}\` has no parameter \`${unknown.name.text}\` (it has ${names.join(', ')})${didYouMean(suggestion)}`, fixFor(suggestion));
      ok = false;
      continue;
    }
    for (const combination of cartesian(grid.dimensions.map((d) => d.values.map((v) => ({ name: d.name, value: v.value, arg: v.arg }))))) {
      const params = Object.fromEntries(combination.map((c) => [c.name.text, c.value]));
      const id = [grid.template.text, ...combination.map((c) => `${c.name.text}${folderNumber(c.value)}`)].join('_');
      const label = `${grid.template.text}(${combination.map((c) => `${c.name.text} = ${c.value}`).join(', ')})`;
      const args: Arg[] = combination.map((c) => ({ name: c.name, value: { parts: [{ kind: 'number', value: c.value, range: c.arg.range }], range: c.arg.range }, range: c.arg.range }));
      const instance: ModelDecl = { kind: 'model', name: { text: variantModelName(decl.name.text, id), range: grid.range }, instanceOf: { template: grid.template, args }, range: grid.range };
      add(id, label, params, grid.range, instance);
    }
  }
  for (const name of listed) {
    const model = models.get(name.text);
    if (!model || model.params) {
      const suggestion = closestName(
        name.text,
        [...models.values()].filter((m) => !m.params).map((m) => m.name.text),
      );
      const what = model
        ? `\`${name.text}\` is a template: vary it with \`grid ${name.text}(…)\``
        : scope.lookup(name.text)
          ? `\`${name.text}\` is a value (\`let\`), not a model: \`models\` lists models of this file; use the value in a grid, e.g. \`grid template(n = ${name.text})\``
          : `unknown model \`${name.text}\`${didYouMean(suggestion)}`;
      ctx.error('unknown-name', name.range, what, model ? {} : fixFor(suggestion));
      ok = false;
      continue;
    }
    ctx.markUsed(model.name.range);
    const renamed: ModelDecl = { ...model, name: { text: variantModelName(decl.name.text, name.text), range: name.range } };
    add(name.text, name.text, {}, name.range, renamed);
  }
  return { ...base, variants, ok };
}

/** Errors found while expanding a variant, said on the variant; errors in the experiment's own text stay where they are. */
function reportVariant(label: string, at: SourceRange, experiment: SourceRange, diagnostics: readonly Diagnostic[], ctx: AnalysisContext): void {
  for (const d of diagnostics) {
    // A variant's warnings (a deep plain net, by design in Fig. 6) are the experiment's point, not a problem; the override's recipe warnings are.
    if (d.severity !== 'error' && !(d.code === 'recipe' && within(d.range, experiment))) continue;
    if (within(d.range, experiment)) {
      ctx.report(d.severity, d.code, d.range, d.message, { ...(d.related ? { related: d.related } : {}), ...(d.fix ? { fix: d.fix } : {}) });
    } else {
      ctx.error(d.code === 'syntax' ? 'experiment' : d.code, at, `variant ${label}: ${d.message}`, { related: [{ range: d.range, message: d.message }, ...(d.related ?? [])] });
    }
  }
}

function within(inner: SourceRange, outer: SourceRange): boolean {
  return inner.startOffset >= outer.startOffset && inner.endOffset <= outer.endOffset;
}

/** `0.5` → `0.5`, `-1` → `m1`: a parameter value as part of a folder name. */
function folderNumber(value: number): string {
  return String(value).replace('-', 'm');
}

function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((item) => [...prefix, item]));
  return out;
}

/** A recipe override: the experiment's settings replace the model's of the same kind. */
export function mergeRecipe(own: TrainBlock | undefined, override: TrainBlock): TrainBlock {
  const group = (key: string) => (key === 'adam' ? 'sgd' : key === 'epochs' ? 'iterations' : key);
  const replaced = new Set(override.settings.map((s) => group(s.key.text)));
  // A new length moves the milestones with it (50% and 75%) unless the override gives its own.
  if (replaced.has('iterations')) replaced.add('decay');
  const kept = (own?.settings ?? []).filter((s) => !replaced.has(group(s.key.text)));
  return { kind: 'train', keywordRange: override.keywordRange, settings: [...kept, ...override.settings], range: override.range };
}
