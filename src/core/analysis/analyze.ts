// The whole analysis of one `.resnet` file: parse, resolve names, expand every model, infer every
// shape, check every shortcut, count every cost. It never throws: whatever is wrong becomes a
// diagnostic, and whatever is right is still analyzed.
import { msg } from '../l10n/format';
import { messageText, relatedNote, type Diagnostic } from '../diagnostics';
import type { BlockDecl, Line, ModelDecl, ResnetFile, SourceRange, Statement, TrainBlock } from '../language/ast';
import { appendAll } from '../bounded';
import { MAX_SOURCE_BYTES, MAX_SOURCE_MIB, overSourceLimit, utf8Length } from '../sourceSize';
import { parse } from '../language/parse';
import { bindArgs, type ArgSpec } from './arguments';
import { builtinBlocks } from './builtinBlocks';
import { AnalysisContext, type AnalysisLimits } from './context';
import { analyzeExperiment, mergeRecipe, overrideScopes, type ExperimentNode, type RecipeOverride } from './experiment';
import { Expander, NORM_WORDS, SHORTCUT_OPTIONS, Sequence, defineLet, normChoice, type ModelOptions } from './expand';
import { FileText, analyzeModelCached } from './modelCache';
import { modelLayers, sumCosts, type Downsample, type DropPathSchedule, type NormChoice, type ModelNode, type NetworkNode, type ShortcutOption, type StageNode } from './network';
import { readRecipe } from './recipe';
import { Scope, evaluate, fixFor } from './scope';
import { exactCost } from './layers';
import { formatShape, shapeElements, toShape, type Shape } from './shape';
import { closestName } from './suggest';

export interface Analysis {
  readonly file: ResnetFile;
  readonly models: readonly ModelNode[];
  /** The file's experiments, each variant expanded (src/core/analysis/experiment.ts). */
  readonly experiments: readonly ExperimentNode[];
  /** At most MAX_DIAGNOSTICS_PER_FILE; the last one then counts the rest. */
  readonly diagnostics: readonly Diagnostic[];
  /** Every error and warning found, those beyond the cap included. */
  readonly counts: { readonly errors: number; readonly warnings: number };
}

/** The paper's degradation problem (Fig. 6) shows beyond this depth in plain networks. */
export const PLAIN_DEPTH_LIMIT = 20;

export interface AnalyzeOptions {
  /** Analyze every model at this input size instead of its own (`stats --input`). */
  readonly input?: Shape | undefined;
  /** Smaller limits than the defaults (tests). */
  readonly limits?: AnalysisLimits;
}

/** Beyond this many diagnostics in one file, the rest are summed up in one "and N more". */
export const MAX_DIAGNOSTICS_PER_FILE = 200;

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  // The same limit, in the same unit, as the command line's (sourceSize.ts): beyond it a document
  // would cost the language server more memory than any editor should give it.
  if (overSourceLimit(text)) return refuseLongText(text);
  const parsed = parse(text);
  const ctx = new AnalysisContext(options.limits);
  ctx.inputOverride = options.input;
  appendAll(ctx.diagnostics, parsed.diagnostics);
  let models: ModelNode[] = [];
  let experiments: ExperimentNode[] = [];
  try {
    ({ models, experiments } = analyzeFile(parsed.file, new FileText(text, parsed.file.items), optionsKey(options), ctx));
  } catch (error) {
    // Only a pathological input (nesting deep enough to exhaust the stack) should get here; a bug
    // in the analysis is reported too, rather than thrown at the editor or the command line.
    const text = error instanceof RangeError ? msg('limit.nestedTooDeeply') : msg('limit.internalError', { reason: error instanceof Error ? error.message : String(error) });
    ctx.error('too-large', parsed.file.range, text);
  }
  return { file: parsed.file, models, experiments, diagnostics: capDiagnostics(sortDiagnostics(ctx.diagnostics)), counts: countSeverities(ctx.diagnostics) };
}

/** What, besides the text, a model's analysis depends on. */
function optionsKey(options: AnalyzeOptions): string {
  return JSON.stringify([options.input ?? null, options.limits ?? null]);
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.range.startOffset - b.range.startOffset || a.range.endOffset - b.range.endOffset);
}

/**
 * The first diagnostics, errors before warnings (an error can hide behind a thousand warnings),
 * in the order of the text; then one that counts the rest, placed where the first of them is.
 */
export function capDiagnostics(sorted: readonly Diagnostic[], limit = MAX_DIAGNOSTICS_PER_FILE): Diagnostic[] {
  if (sorted.length <= limit) return [...sorted];
  const chosen = new Set<Diagnostic>(sorted.filter((d) => d.severity === 'error').slice(0, limit - 1));
  for (const d of sorted) {
    if (chosen.size >= limit - 1) break;
    chosen.add(d);
  }
  const kept = sorted.filter((d) => chosen.has(d));
  const rest = sorted.filter((d) => !chosen.has(d));
  const errors = rest.filter((d) => d.severity === 'error').length;
  const warnings = rest.filter((d) => d.severity === 'warning').length;
  const counted = (n: number, what: 'error' | 'warning') => msg(`term.count.${what}.${n === 1 ? 'one' : 'other'}`, { count: n.toLocaleString('en-US') });
  const counts =
    errors && warnings
      ? msg('term.list2', { first: counted(errors, 'error'), second: counted(warnings, 'warning') })
      : errors
        ? counted(errors, 'error')
        : warnings
          ? counted(warnings, 'warning')
          : msg('term.notes');
  const first = rest[0];
  if (!first) return kept;
  const text = msg('limit.moreProblems', { count: rest.length.toLocaleString('en-US'), counts });
  kept.push({ severity: errors > 0 ? 'error' : first.severity, code: 'too-large', ...messageText(text), range: first.range });
  return kept;
}

function countSeverities(diagnostics: readonly Diagnostic[]): Analysis['counts'] {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}

function refuseLongText(text: string): Analysis {
  const range: SourceRange = { startOffset: 0, endOffset: 0, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 };
  const size = utf8Length(text).toLocaleString('en-US');
  return {
    file: { items: [], range },
    models: [],
    experiments: [],
    counts: { errors: 1, warnings: 0 },
    diagnostics: [{ severity: 'error', code: 'too-large', range, ...messageText(msg('limit.longText', { size, limit: MAX_SOURCE_BYTES.toLocaleString('en-US'), mib: MAX_SOURCE_MIB })) }],
  };
}

function analyzeFile(file: ResnetFile, text: FileText, optionsKey: string, ctx: AnalysisContext): { models: ModelNode[]; experiments: ExperimentNode[] } {
  const modelNames = new Map<string, ModelDecl>();
  for (const item of file.items) {
    switch (item.kind) {
      case 'let':
        defineLet(item, ctx.topScope, ctx);
        break;
      case 'block':
        if (builtinBlocks.has(item.name.text)) {
          ctx.error('duplicate', item.name.range, msg('name.builtinBlock', { name: item.name.text }));
        } else if (ctx.blocks.has(item.name.text)) {
          ctx.error('duplicate', item.name.range, msg('block.duplicate', { name: item.name.text }), {
            related: [relatedNote((ctx.blocks.get(item.name.text) as BlockDecl).name.range, msg('related.firstDefined'))],
          });
        } else {
          ctx.blocks.set(item.name.text, item);
          checkDuplicateParams(item.params, ctx);
        }
        break;
      case 'model': {
        const first = modelNames.get(item.name.text);
        if (first) {
          ctx.error('duplicate', item.name.range, msg('model.duplicate', { name: item.name.text }), {
            related: [relatedNote(first.name.range, msg('related.firstDefined'))],
          });
          break;
        }
        modelNames.set(item.name.text, item);
        if (item.params) {
          ctx.templates.set(item.name.text, item);
          checkDuplicateParams(item.params, ctx);
        }
        break;
      }
    }
  }

  const models: ModelNode[] = [];
  for (const decl of modelNames.values()) {
    if (decl.params) continue;
    // An unchanged model (its text and what it reads from the rest of the file) reuses its analysis.
    const model = analyzeModelCached(decl, text, ctx, optionsKey, () => (decl.instanceOf ? instantiate(decl, ctx) : analyzeModel(decl, decl, new Scope(ctx.topScope), ctx)));
    if (model) models.push(model);
  }
  // Experiments come after the models: their variants spend what the file's budget has left.
  const experiments: ExperimentNode[] = [];
  const experimentNames = new Map<string, SourceRange>();
  const analyzeVariant = (decl: ModelDecl, override: RecipeOverride | undefined) =>
    decl.instanceOf ? instantiate(decl, ctx, override) : analyzeModel(decl, decl, new Scope(ctx.topScope), ctx, override);
  for (const item of file.items) {
    if (item.kind !== 'experiment') continue;
    const first = experimentNames.get(item.name.text) ?? modelNames.get(item.name.text)?.name.range;
    if (first) {
      ctx.error('duplicate', item.name.range, `\`${item.name.text}\` is already defined; give the experiment another name (it names its runs' folder)`, {
        related: [{ range: first, message: 'first defined here' }],
      });
      continue;
    }
    experimentNames.set(item.name.text, item.name.range);
    experiments.push(analyzeExperiment(item, ctx, modelNames, analyzeVariant));
  }
  reportUnused(file, ctx);
  return { models, experiments };
}

function checkDuplicateParams(params: readonly { name: { text: string; range: SourceRange } }[], ctx: AnalysisContext): void {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name.text)) ctx.error('duplicate', p.name.range, msg('parameter.duplicate', { name: p.name.text }));
    seen.add(p.name.text);
  }
}

type InstanceOf = NonNullable<ModelDecl['instanceOf']>;

/** `model resnet20 = cifar_resnet(n = 3)`. */
function instantiate(decl: ModelDecl, ctx: AnalysisContext, trainOverride?: RecipeOverride): ModelNode | undefined {
  const resolved = resolveInstance(decl, decl.instanceOf as InstanceOf, ctx.topScope, [decl.name.text], ctx);
  return resolved && analyzeModel(decl, resolved.template, resolved.scope, ctx, trainOverride);
}

/**
 * The template whose body an instance uses, with its parameters bound. A template may itself be an
 * instance of another (`model deep(k) = family(n = 2 * k)`): the chain is followed to the template
 * with a body, each link's arguments read in the scope of the link before.
 */
function resolveInstance(decl: ModelDecl, of: InstanceOf, argScope: Scope, chain: readonly string[], ctx: AnalysisContext): { template: ModelDecl; scope: Scope } | undefined {
  const template = ctx.templates.get(of.template.text);
  if (!template) {
    const suggestion = closestName(of.template.text, ctx.templates.keys());
    ctx.error(
      'unknown-name',
      of.template.range,
      suggestion === undefined ? msg('template.unknown', { name: of.template.text }) : msg('template.unknownSuggest', { name: of.template.text, suggestion }),
      fixFor(suggestion),
    );
    return undefined;
  }
  ctx.markUsed(template.name.range);
  if (chain.includes(template.name.text)) {
    ctx.error('recursion', of.template.range, msg('template.recursion', { chain: [...chain, template.name.text].join(' → ') }));
    return undefined;
  }
  const params = template.params ?? [];
  const specs: ArgSpec[] = params.map((p) => ({ name: p.name.text, type: 'number', positional: true, description: msg('arg.parameterOf', { name: template.name.text }) }));
  const args = bindArgs(of.args, specs, msg('term.code', { name: template.name.text }), argScope, ctx);
  const scope = new Scope(ctx.topScope);
  for (const p of params) {
    let value = args.number(p.name.text);
    if (value === undefined && !args.has(p.name.text)) {
      if (!p.defaultValue) {
        ctx.error('argument', decl.range, msg('template.needsParameter', { name: template.name.text, parameter: p.name.text, parameters: params.map((q) => `${q.name.text} = …`).join(', ') }));
        return undefined;
      }
      value = evaluate(p.defaultValue, scope, ctx);
    }
    scope.define(p.name.text, { value, declaration: p.name.range });
  }
  if (template.instanceOf) return resolveInstance(decl, template.instanceOf, scope, [...chain, template.name.text], ctx);
  return { template, scope };
}

const modelSettingSpecs: Readonly<Record<string, readonly ArgSpec[]>> = {
  input: [
    { name: 'shape', type: 'shape', positional: true, description: msg('arg.inputShape') },
    { name: 'classes', type: 'int', description: msg('arg.classes') },
  ],
  classes: [{ name: 'count', type: 'int', positional: true, description: msg('arg.classes') }],
  shortcut: [{ name: 'option', type: 'word', positional: true, words: SHORTCUT_OPTIONS, description: msg('arg.shortcutOption') }],
  downsample: [{ name: 'placement', type: 'word', positional: true, words: ['v1', 'v1.5'], description: msg('arg.downsample') }],
  norm: [
    { name: 'kind', type: 'word', positional: true, words: NORM_WORDS, description: msg('arg.normKind') },
    { name: 'group', type: 'int', description: msg('arg.normGroups') },
  ],
  drop_path: [
    { name: 'rate', type: 'number', positional: true, description: msg('arg.dropPathRate') },
    { name: 'decay', type: 'word', positional: true, words: ['linear', 'stepped', 'uniform'], description: msg('arg.dropPathDecay') },
  ],
};
export const MODEL_SETTINGS = Object.keys(modelSettingSpecs);

/** `named` gives the model its name and place; `source` holds the body (the template's, for an instance). */
function analyzeModel(named: ModelDecl, source: ModelDecl, scope: Scope, ctx: AnalysisContext, trainOverride?: RecipeOverride): ModelNode | undefined {
  if (!ctx.startModel(named.name.range)) return undefined;
  if (source.params) ctx.markBodyRead(source);
  const body = source.body ?? [];
  let input: Shape | undefined;
  /** The `input` line: where the first stage's input comes from, for the notes of its problems. */
  let inputRange: SourceRange | undefined;
  let classes: number | undefined;
  let shortcut: ShortcutOption = 'B';
  let downsample: Downsample = 'v1';
  let norm: NormChoice | undefined;
  let dropPath: DropPathSchedule | undefined;
  let train: TrainBlock | undefined;
  const seenSettings = new Set<string>();
  const lines: Line[] = [];

  for (const statement of body) {
    switch (statement.kind) {
      case 'let':
        defineLet(statement, scope, ctx);
        break;
      case 'train':
        if (train) ctx.error('recipe', statement.keywordRange, msg('model.twoRecipes'));
        else train = statement;
        break;
      case 'line':
        lines.push(statement);
        break;
      case 'setting': {
        const key = statement.key.text;
        const specs = modelSettingSpecs[key];
        if (!specs) {
          reportUnknownStatement(statement, ctx);
          break;
        }
        if (seenSettings.has(key)) {
          ctx.error('duplicate', statement.key.range, msg('model.settingTwice', { name: key }));
          break;
        }
        seenSettings.add(key);
        const args = bindArgs(statement.args, specs, msg('term.code', { name: key }), scope, ctx);
        if (key === 'input') {
          inputRange = statement.range;
          const dims = args.numbers('shape');
          if (dims) input = toShape(dims);
          else if (!args.has('shape')) ctx.error('argument', statement.range, msg('model.inputNeedsShape'));
          const c = args.number('classes');
          if (c !== undefined) {
            if (seenSettings.has('classes')) ctx.error('duplicate', statement.range, msg('model.settingTwice', { name: 'classes' }));
            seenSettings.add('classes');
            classes = c;
          }
        } else if (key === 'classes') {
          classes = args.number('count');
        } else if (key === 'shortcut') {
          shortcut = (args.word('option') as ShortcutOption | undefined) ?? shortcut;
        } else if (key === 'norm') {
          const groups = args.number('group');
          if (groups !== undefined && groups < 1) ctx.error('argument', args.range('group') ?? statement.range, msg('argument.atLeast1', { name: 'group', value: groups }));
          else norm = normChoice(groups !== undefined ? 'group' : (args.word('kind') ?? 'batch'), groups);
        } else if (key === 'drop_path') {
          const rate = args.number('rate');
          if (rate === undefined) {
            if (!args.has('rate')) ctx.error('argument', statement.range, msg('argument.dropPathSettingNeeds'));
          } else if (rate < 0 || rate >= 1) {
            ctx.error('argument', args.range('rate') ?? statement.range, msg('argument.rate', { name: 'rate', what: msg('term.code', { name: 'drop_path' }), value: rate }));
          } else {
            dropPath = { rate, decay: (args.word('decay') as DropPathSchedule['decay'] | undefined) ?? 'linear' };
          }
        } else {
          downsample = (args.word('placement') as Downsample | undefined) ?? downsample;
        }
        if (classes !== undefined && classes < 1) {
          ctx.error('argument', statement.range, msg('model.atLeastOneClass', { classes }));
          classes = undefined;
        }
        break;
      }
    }
  }

  if (ctx.inputOverride) input = ctx.inputOverride;
  if (!input) {
    if (!seenSettings.has('input')) ctx.error('argument', named.name.range, msg('model.noInput', { name: named.name.text }));
    return undefined;
  }
  // The recipe only needs the input, so it is checked even when the layers have errors.
  const recipe = trainOverride ? readRecipe(mergeRecipe(train, trainOverride.train), input, overrideScopes(scope, trainOverride), ctx) : readRecipe(train, input, scope, ctx);
  const options: ModelOptions = { shortcut, downsample, classes, norm, dropPath };
  const expander = new Expander(ctx, options);
  const stages: StageNode[] = [];
  let shape: Shape | undefined = input;
  let current: { name: string; labelRange: SourceRange; seq: Sequence; first: SourceRange; last: SourceRange } | undefined;
  // Where the next stage's input comes from: the model's `input` line, then each stage's last item.
  let previousEnd: SourceRange | undefined = inputRange;
  const stageNames = new Map<string, SourceRange>();
  const close = () => {
    if (!current) return;
    stages.push(makeStage(current.name, current.labelRange, current.first, current.last, current.seq));
    current = undefined;
  };
  for (const line of lines) {
    // Once a shape is unknown, later lines are still checked for names and arguments.
    if (line.label || !current) {
      previousEnd = current?.seq.lastRange ?? previousEnd;
      close();
      const name = line.label?.text ?? 'stem';
      const labelRange = line.label?.range ?? line.range;
      const earlier = stageNames.get(name);
      if (earlier) {
        ctx.error('duplicate', labelRange, msg('stage.duplicate', { name }), {
          related: [relatedNote(earlier, msg('related.firstDefined'))],
        });
      }
      stageNames.set(name, labelRange);
      current = { name, labelRange, seq: new Sequence(shape, name, previousEnd ?? line.range), first: line.range, last: line.range };
    }
    expander.line(line, scope, current.seq, []);
    current.last = line.range;
    shape = current.seq.shape;
  }
  close();
  if (!shape) return undefined;

  const output = stages.at(-1)?.output ?? input;
  const cost = sumCosts(stages.map((s) => s.cost));
  // Every layer's counts are exact; their sums are too as long as the totals are (no term is negative).
  if (!exactCost({ ...cost, activations: cost.activations + shapeElements(input) }, named.name.range, `model \`${named.name.text}\``, ctx)) return undefined;
  const model: ModelNode = {
    name: named.name.text,
    nameRange: named.name.range,
    range: named.range,
    input,
    classes,
    shortcut,
    downsample,
    ...(dropPath ? { dropPath } : {}),
    stages,
    output,
    cost,
    depth: mainPathDepth(stages.flatMap((s) => s.nodes)),
    plain: !stages.some((s) => s.nodes.some(hasShortcut)),
    recipe,
  };
  checkModel(model, ctx);
  return model;
}

function reportUnknownStatement(statement: Extract<Statement, { kind: 'setting' }>, ctx: AnalysisContext): void {
  const key = statement.key.text;
  const suggestion = closestName(key, [...MODEL_SETTINGS, 'let', 'train', 'conv', 'bn', 'relu', 'maxpool', 'avgpool', 'globalavgpool', 'fc', 'softmax']);
  ctx.error(
    'unknown-name',
    statement.key.range,
    suggestion === undefined
      ? msg('setting.unknown', { name: key, settings: MODEL_SETTINGS.join(', ') })
      : msg('setting.unknownSuggest', { name: key, settings: MODEL_SETTINGS.join(', '), suggestion }),
    fixFor(suggestion),
  );
}

function makeStage(name: string, labelRange: SourceRange, first: SourceRange, last: SourceRange, seq: Sequence): StageNode {
  const cost = sumCosts(seq.nodes.map((n) => n.cost));
  const input = seq.nodes[0]?.input ?? seq.shape ?? [0, 0, 0];
  const output = seq.nodes.at(-1)?.output ?? input;
  const range: SourceRange = { ...first, endOffset: last.endOffset, endLine: last.endLine, endColumn: last.endColumn };
  return { name, nodes: seq.nodes, input, output, cost, labelRange, range };
}

function hasShortcut(node: NetworkNode): boolean {
  if (node.kind !== 'block') return false;
  return node.shortcut !== undefined || node.branch.some(hasShortcut) || node.after.some(hasShortcut);
}

/** Convolutions and fully connected layers outside shortcut branches: how the paper counts depth. */
function mainPathDepth(nodes: readonly NetworkNode[]): number {
  let depth = 0;
  for (const node of nodes) {
    if (node.kind === 'layer') depth += node.spec.op === 'conv' || node.spec.op === 'fc' ? 1 : 0;
    // A split's groups run side by side: its deepest group.
    else if (node.kind === 'split') depth += Math.max(0, ...node.columns.map(mainPathDepth));
    else depth += mainPathDepth(node.branch) + mainPathDepth(node.after);
  }
  return depth;
}

function checkModel(model: ModelNode, ctx: AnalysisContext): void {
  if (model.plain && model.depth > PLAIN_DEPTH_LIMIT) {
    ctx.warning('plain-depth', model.nameRange, msg('model.plainDepth', { depth: model.depth, limit: PLAIN_DEPTH_LIMIT }));
  }
  const [h, w, c] = model.output;
  if (model.classes !== undefined && (h !== 1 || w !== 1 || c !== model.classes)) {
    const last = [...modelLayers(model)].pop();
    ctx.error('argument', last?.range ?? model.nameRange, msg('model.classesMismatch', { shape: formatShape(model.output), classes: model.classes }));
  }
}

function reportUnused(file: ResnetFile, ctx: AnalysisContext): void {
  for (const item of file.items) {
    if (item.kind === 'let' && !ctx.used.has(item.name.range.startOffset)) {
      ctx.warning('unused', item.name.range, msg('unused.name', { name: item.name.text }));
    }
    if (item.kind === 'block' && !ctx.used.has(item.name.range.startOffset) && ctx.blocks.get(item.name.text) === item) {
      ctx.warning('unused', item.name.range, msg('unused.block', { name: item.name.text }));
    }
    if (item.kind === 'block' && ctx.used.has(item.name.range.startOffset)) {
      for (const p of item.params) {
        if (!ctx.used.has(p.name.range.startOffset)) ctx.warning('unused', p.name.range, msg('unused.blockParameter', { parameter: p.name.text, name: item.name.text }));
      }
      warnUnusedLets(item.body, ctx);
    }
    if (item.kind === 'model' && item.params) {
      if (!ctx.used.has(item.name.range.startOffset)) {
        ctx.warning('unused', item.name.range, msg('unused.template', { name: item.name.text }));
      } else if (ctx.bodyWasRead(item)) {
        for (const p of item.params) {
          if (!ctx.used.has(p.name.range.startOffset)) ctx.warning('unused', p.name.range, msg('unused.modelParameter', { parameter: p.name.text, name: item.name.text }));
        }
      }
    }
    if (item.kind === 'model' && item.body && (!item.params || ctx.used.has(item.name.range.startOffset))) warnUnusedLets(item.body, ctx);
    if (item.kind === 'experiment') warnUnusedLets(item.body, ctx);
  }
}

function warnUnusedLets(body: readonly Statement[], ctx: AnalysisContext): void {
  for (const s of body) {
    if (s.kind === 'let' && !ctx.used.has(s.name.range.startOffset)) ctx.warning('unused', s.name.range, msg('unused.name', { name: s.name.text }));
  }
}
