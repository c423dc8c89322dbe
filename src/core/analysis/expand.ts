// Expands lines of layers and block calls into the network, layer by layer, inferring every shape.
// Model stages and user-defined block bodies both go through here.
import { msg, type MessageRef } from '../l10n/format';
import { relatedNote } from '../diagnostics';
import { appendAll } from '../bounded';
import type { Arg, BlockDecl, CallItem, GateItem, Item, LayerItem, Line, SourceRange, SplitItem, Statement } from '../language/ast';
import { bindArgs, numberWritten, type ArgSpec, type BoundArgs } from './arguments';
import { basicBranch, bottleneckBranch, builtinBlocks, ecaBranch, ecaKernel, isGateBlock, seBranch, seSqueeze, type BranchLayer } from './builtinBlocks';
import { MAX_BLOCK_NESTING, type AnalysisContext } from './context';
import { checkOddKernel, layerSpecFromItem, makeLayer } from './layers';
import {
  sumCosts,
  type BlockNode,
  type Cost,
  type Downsample,
  type DropPathSchedule,
  type LayerNode,
  type LayerSpec,
  type NetworkNode,
  type NormChoice,
  type Shortcut,
  type ShortcutOption,
  type SplitNode,
} from './network';
import { Scope, evaluate, fixFor } from './scope';
import { formatShape, sameShape, shapeElements, type Shape } from './shape';
import { makeShortcut, type ShortcutRequest } from './shortcuts';
import { closestName } from './suggest';

export interface ModelOptions {
  readonly shortcut: ShortcutOption;
  readonly downsample: Downsample;
  readonly classes?: number | undefined;
  /** The norm of the built-in blocks and projections (the model's `norm`); BatchNorm when absent. */
  readonly norm?: NormChoice | undefined;
  /** The model's `drop_path`: built-in blocks get a drop path, and a bare `droppath` its rate. */
  readonly dropPath?: DropPathSchedule | undefined;
}

/** The words of the model's `norm` setting and of `add …, norm`. */
export const NORM_WORDS = ['batch', 'group', 'layer', 'none'] as const;

/** A norm word as the norm it names; `group` takes `groups` groups (32 by default). */
export function normChoice(word: string, groups = 32): NormChoice {
  switch (word) {
    case 'group':
      return { op: 'gn', groups, eps: 1e-5 };
    case 'layer':
      return { op: 'ln', eps: 1e-6 };
    case 'none':
      return { op: 'none' };
    default:
      return { op: 'bn' };
  }
}

export const SHORTCUT_OPTIONS: readonly ShortcutOption[] = ['A', 'B', 'C', 'none', 'identity'];
const shortcutArg: ArgSpec = { name: 'shortcut', type: 'word', words: SHORTCUT_OPTIONS, description: msg('arg.stageShortcut') };
const MAX_REPEAT = 100_000;
const addKinds = ['shortcut', 'identity', 'projection', 'zeropad', 'if_same'];

/** A run of nodes being built, with the shape flowing out of the last one. */
export class Sequence {
  readonly nodes: NetworkNode[] = [];
  /** Undefined once an error made the shape unknowable; later items are then skipped. */
  shape: Shape | undefined;
  lastRange: SourceRange;
  private readonly counters = new Map<string, number>();
  /** Names of a split's module lists (`convs`) and kept layers (`pool`) taken in this sequence. */
  private readonly listNames = new Set<string>();
  private blockCount = 0;

  constructor(
    input: Shape | undefined,
    readonly prefix: string,
    start: SourceRange,
  ) {
    this.shape = input;
    this.lastRange = start;
  }

  layerPath(op: string): string {
    return `${this.prefix}.${this.layerName(op)}`;
  }

  /** The next name for an `op` layer here: `conv1`, `conv2`, … */
  layerName(op: string): string {
    const n = (this.counters.get(op) ?? 0) + 1;
    this.counters.set(op, n);
    return `${op}${n}`;
  }

  blockPath(): string {
    return `${this.prefix}.${this.blockCount++}`;
  }

  /**
   * The name of a split's layer in this sequence: `convs` for its groups' convolutions (a module
   * list, as timm's Res2Net), `pool` for the kept group's pooling; `convs2` for a second. It takes
   * `op`'s number as a layer would, so the block's next convolution is `conv3` after `conv1`, `convs`.
   */
  splitLayerName(op: string, base: string): string {
    this.counters.set(op, (this.counters.get(op) ?? 0) + 1);
    let name = base;
    for (let n = 2; this.listNames.has(name); n++) name = `${base}${n}`;
    this.listNames.add(name);
    return name;
  }
}

interface BlockFrame {
  readonly input: Shape;
  readonly path: string;
  readonly callRange: SourceRange;
  readonly shortcut: ShortcutOption;
  readonly stride?: number | undefined;
  branch?: NetworkNode[];
  join?: Shortcut | null | undefined;
  /** How many branch nodes come before the `tap`, once one is read. */
  tap?: number;
}

export class Expander {
  private readonly branchCache = new Map<string, BranchLayer[]>();

  constructor(
    private readonly ctx: AnalysisContext,
    private readonly options: ModelOptions,
  ) {}

  /** Adds one line's items to `seq`. `frame` is set inside a user block's body. */
  line(line: Line, scope: Scope, seq: Sequence, stack: readonly string[], frame?: BlockFrame): void {
    for (const item of line.items) this.item(item, scope, seq, stack, frame);
  }

  private item(item: Item, scope: Scope, seq: Sequence, stack: readonly string[], frame?: BlockFrame): void {
    if (seq.shape === undefined) {
      this.checkNamesOnly(item, scope);
      return;
    }
    switch (item.kind) {
      case 'layer': {
        if (item.op === 'tap') {
          this.tap(item, seq, frame);
          return;
        }
        const spec = layerSpecFromItem(item, this.options.classes, scope, this.ctx);
        if (!spec) {
          seq.shape = undefined;
          return;
        }
        if (spec.op === 'droppath' && spec.rate === undefined && !this.options.dropPath) {
          this.ctx.error('argument', item.range, msg('argument.dropPathNeeds'));
          seq.shape = undefined;
          return;
        }
        if (!this.ctx.spendLayer(item.range)) {
          seq.shape = undefined;
          return;
        }
        const layer = makeLayer(spec, seq.shape, seq.layerPath(spec.op), item.range, this.ctx);
        if (!layer) {
          seq.shape = undefined;
          return;
        }
        seq.nodes.push(layer);
        seq.shape = layer.output;
        seq.lastRange = item.range;
        return;
      }
      case 'call':
        this.call(item, scope, seq, stack);
        return;
      case 'add':
        this.add(item, scope, seq, stack, frame);
        return;
      case 'gate':
        this.gate(item, scope, seq, stack);
        return;
      case 'split':
        this.split(item, scope, seq, frame);
        return;
    }
  }

  /**
   * `split N, cascade, keep { … }` in a block's body: N equal channel groups, each through its own
   * copy of the path's layers, concatenated (Res2Net). Its layers are the block's, named as module
   * lists (`convs.0`); the kept group's by themselves (`pool`).
   */
  private split(item: SplitItem, scope: Scope, seq: Sequence, frame: BlockFrame | undefined): void {
    const input = seq.shape;
    if (!input) return;
    const fail = () => {
      seq.shape = undefined;
    };
    const args = bindArgs(
      item.args,
      [
        { name: 'groups', type: 'int', positional: true, description: msg('arg.splitGroups') },
        { name: 'cascade', type: 'flag', description: msg('arg.splitCascade') },
        { name: 'keep', type: 'flag', description: msg('arg.splitKeep') },
      ],
      msg('term.code', { name: 'split' }),
      scope,
      this.ctx,
    );
    // The lines: the path every group runs, and (labelled `keep`) the kept group's own layers.
    const pathItems: LayerItem[] = [];
    const keepItems: LayerItem[] = [];
    let layersOnly = true;
    let keepLine: SourceRange | undefined;
    for (const line of item.lines) {
      const kept = line.label?.text === 'keep';
      if (line.label && !kept) this.ctx.error('argument', line.label.range, msg('split.label', { label: line.label.text }));
      if (kept) keepLine ??= line.range;
      for (const inner of line.items) {
        if (inner.kind === 'layer' && inner.op !== 'tap') (kept ? keepItems : pathItems).push(inner);
        else {
          this.ctx.error('argument', inner.kind === 'gate' || inner.kind === 'split' ? inner.keywordRange : inner.kind === 'call' ? inner.callee.range : inner.range, msg('split.layersOnly'));
          layersOnly = false;
        }
      }
    }
    if (!frame) {
      this.ctx.error('argument', item.keywordRange, msg('split.outside'));
      return fail();
    }
    const groups = args.number('groups');
    if (groups === undefined) {
      if (!args.has('groups')) this.ctx.error('argument', item.keywordRange, msg('split.needsGroups'));
      return fail();
    }
    const groupsAt = args.range('groups') ?? item.keywordRange;
    if (groups < 1) {
      this.ctx.error('argument', groupsAt, msg('argument.atLeast1', { name: 'groups', value: groups }));
      return fail();
    }
    const keep = args.flag('keep') === true || keepLine !== undefined;
    if (keep && groups < 2) {
      this.ctx.error('argument', args.range('keep') ?? keepLine ?? groupsAt, msg('split.keepNeedsTwo', { groups }));
      return fail();
    }
    const channels = input[2];
    if (channels % groups !== 0) {
      const divisor = nearestDivisor(channels, groups);
      const written = numberWritten(item.args, 'groups', true);
      this.ctx.error('groups', written ?? groupsAt, msg('split.divide', { groups, channels, input: formatShape(input), divisor }), written ? fixFor(String(divisor)) : {});
      return fail();
    }
    if (!layersOnly) return fail();
    const specsOf = (items: readonly LayerItem[]): { spec: LayerSpec; item: LayerItem }[] | undefined => {
      const out: { spec: LayerSpec; item: LayerItem }[] = [];
      for (const layer of items) {
        const spec = layerSpecFromItem(layer, this.options.classes, scope, this.ctx);
        if (!spec) return undefined;
        if (spec.op === 'droppath' && spec.rate === undefined && !this.options.dropPath) {
          this.ctx.error('argument', layer.range, msg('argument.dropPathNeeds'));
          return undefined;
        }
        out.push({ spec, item: layer });
      }
      return out;
    };
    const pathSpecs = specsOf(pathItems);
    const keepSpecs = specsOf(keepItems);
    if (!pathSpecs || !keepSpecs || !this.ctx.spendLayer(item.range)) return fail();
    const path = seq.layerPath('split');
    const pathNames = pathSpecs.map(({ spec }) => seq.splitLayerName(spec.op, `${spec.op}s`));
    // The kept group's pooling is `pool` (timm's); its other layers are numbered as the block's (`bn2`).
    const keepNames = keepSpecs.map(({ spec }) => (spec.op === 'avgpool' || spec.op === 'maxpool' ? seq.splitLayerName(spec.op, 'pool') : seq.layerName(spec.op)));
    const group: Shape = [input[0], input[1], channels / groups];
    const build = (specs: readonly { spec: LayerSpec; item: LayerItem }[], names: readonly string[], suffix: string): LayerNode[] | undefined => {
      const layers: LayerNode[] = [];
      let shape = group;
      for (const [i, { spec, item: layer }] of specs.entries()) {
        if (!this.ctx.spendLayer(layer.range)) return undefined;
        const node = makeLayer(spec, shape, `${seq.prefix}.${names[i]}${suffix}`, layer.range, this.ctx);
        if (!node) return undefined;
        layers.push(node);
        shape = node.output;
      }
      return layers;
    };
    const paths = keep ? groups - 1 : groups;
    const columns: LayerNode[][] = [];
    for (let i = 0; i < paths; i++) {
      const column = build(pathSpecs, pathNames, `.${i}`);
      if (!column) return fail();
      columns.push(column);
      if (i === 0) {
        const out = column.at(-1)?.output ?? group;
        // The cascade adds a path's output into the next group's input: the two must agree.
        if (args.flag('cascade') === true && paths > 1 && !sameShape(out, group)) {
          this.ctx.error('shortcut-mismatch', args.range('cascade') ?? item.keywordRange, msg('split.cascadeShape', { output: formatShape(out), group: formatShape(group) }), {
            related: [relatedNote(pathItems.at(-1)?.range ?? item.range, msg('related.splitPathOutput', { shape: formatShape(out) }))],
          });
          return fail();
        }
      }
    }
    if (keep) {
      const column = build(keepSpecs, keepNames, '');
      if (!column) return fail();
      columns.push(column);
    }
    // Concatenated along the channels: every group must come out at one height × width.
    const outputs = columns.map((c) => c.at(-1)?.output ?? group);
    const first = outputs[0] ?? group;
    const last = outputs.at(-1) ?? group;
    if (first[0] !== last[0] || first[1] !== last[1]) {
      this.ctx.error('shortcut-mismatch', item.keywordRange, msg('split.concatShape', { path: formatShape(first), kept: formatShape(last) }), {
        related: [
          relatedNote(pathItems.at(-1)?.range ?? item.range, msg('related.splitPathOutput', { shape: formatShape(first) })),
          relatedNote(keepItems.at(-1)?.range ?? keepLine ?? item.range, msg('related.splitKeptOutput', { shape: formatShape(last) })),
        ],
      });
      return fail();
    }
    const output: Shape = [first[0], first[1], outputs.reduce((sum, o) => sum + o[2], 0)];
    const cascade = args.flag('cascade') === true;
    // The concatenation and each cascade sum are outputs too (the older upper bound counts every output).
    const cost = sumCosts(
      columns.flatMap((c) => c.map((n) => n.cost)),
      shapeElements(output) + (cascade ? Math.max(0, paths - 1) * shapeElements(group) : 0),
    );
    const node: SplitNode = { kind: 'split', path, groups, cascade, keep, columns, input, output, cost, range: item.range };
    seq.nodes.push(node);
    seq.shape = output;
    seq.lastRange = item.range;
  }

  /** `tap` in a block's branch: a projection shortcut reads from here (pre-activation). */
  private tap(item: LayerItem, seq: Sequence, frame: BlockFrame | undefined): void {
    if (!frame || frame.branch) {
      this.ctx.error('argument', item.range, msg('block.tapOutside'));
      return;
    }
    if (frame.tap !== undefined) {
      this.ctx.error('argument', item.range, msg('block.tapTwice'));
      return;
    }
    frame.tap = seq.nodes.length;
  }

  /** `gate { … }`: the input times what the layers in braces make of it. */
  private gate(item: GateItem, scope: Scope, seq: Sequence, stack: readonly string[]): void {
    const input = seq.shape;
    if (!input || !this.ctx.spendLayer(item.range)) {
      seq.shape = undefined;
      return;
    }
    const path = seq.layerPath('gate');
    const inner = new Sequence(input, path, item.range);
    for (const line of item.lines) {
      if (line.label) this.ctx.error('argument', line.label.range, msg('block.shortcutLabel'));
      this.line(line, scope, inner, stack);
    }
    if (!inner.shape) {
      seq.shape = undefined;
      return;
    }
    const node = this.finishGate('gate', path, input, inner.nodes, inner.shape, item.keywordRange, inner.lastRange, item.range);
    if (!node) {
      seq.shape = undefined;
      return;
    }
    seq.nodes.push(node);
    seq.lastRange = item.range;
  }

  /** A gate's block: its factor must be 1×1×C or H×W×C for the input's C channels. */
  private finishGate(name: string, path: string, input: Shape, branch: NetworkNode[], factor: Shape, at: SourceRange, factorRange: SourceRange, range: SourceRange): BlockNode | undefined {
    const broadcasts = factor[2] === input[2] && ((factor[0] === 1 && factor[1] === 1) || (factor[0] === input[0] && factor[1] === input[1]));
    if (!broadcasts) {
      this.ctx.error('shortcut-mismatch', at, msg('gate.shape', { factor: formatShape(factor), input: formatShape(input), channels: input[2] }), {
        related: [relatedNote(factorRange, msg('related.gateFactor', { shape: formatShape(factor) }))],
      });
      return undefined;
    }
    // The product is kept for the backward pass like a sum.
    const cost = sumCosts(
      branch.map((n) => n.cost),
      shapeElements(input),
    );
    return { kind: 'block', path, blockName: name, input, output: input, branch, shortcut: { kind: 'identity' }, after: [], multiplies: true, cost, range };
  }

  /** After an error has made the shape unknown, later items still get their names and arguments checked. */
  private checkNamesOnly(item: Item, scope: Scope): void {
    if (item.kind === 'layer') {
      layerSpecFromItem(item, this.options.classes, scope, this.ctx);
    } else if (item.kind === 'split') {
      for (const line of item.lines) for (const inner of line.items) if (inner.kind === 'layer') layerSpecFromItem(inner, this.options.classes, scope, this.ctx);
    } else if (item.kind === 'call' && !builtinBlocks.has(item.callee.text) && !this.ctx.blocks.has(item.callee.text)) {
      const suggestion = closestName(item.callee.text, [...builtinBlocks.keys(), ...this.ctx.blocks.keys()]);
      this.ctx.error('unknown-name', item.callee.range, unknownBlockMessage(item.callee.text, suggestion), fixFor(suggestion));
    } else if (item.kind === 'call') {
      const decl = this.ctx.blocks.get(item.callee.text);
      if (decl) this.ctx.markUsed(decl.name.range);
    }
  }

  private add(item: Extract<Item, { kind: 'add' }>, scope: Scope, seq: Sequence, stack: readonly string[], frame?: BlockFrame): void {
    if (!frame) {
      this.ctx.error('argument', item.range, msg('block.addOutside'));
      return;
    }
    if (frame.branch) {
      this.ctx.error('argument', item.range, msg('block.addTwice'));
      return;
    }
    const shape = seq.shape;
    if (!shape) return;
    frame.branch = seq.nodes.splice(0);
    const site = {
      input: frame.input,
      branchOutput: shape,
      stride: frame.stride,
      path: frame.path,
      range: item.range,
      callRange: frame.callRange,
      branchEndRange: seq.lastRange,
    };
    if (item.branch) {
      frame.join = this.customShortcut(item.branch, scope, site, stack);
    } else {
      const args = bindArgs(
        item.args,
        [
          { name: 'kind', type: 'word', positional: true, words: addKinds, description: msg('arg.addKind') },
          { name: 'norm', type: 'word', words: NORM_WORDS, description: msg('arg.addNorm') },
        ],
        msg('term.code', { name: 'add' }),
        scope,
        this.ctx,
      );
      const kind = args.word('kind') ?? 'shortcut';
      const norm = args.word('norm');
      const tapped = frame.tap !== undefined ? frame.branch[frame.tap - 1]?.output : undefined;
      const joinSite = { ...site, norm: norm !== undefined ? normChoice(norm) : this.options.norm, ...(tapped ? { input: tapped } : {}) };
      if (kind === 'if_same') {
        // MobileNet's rule: the identity where the shapes agree, no addition where they differ.
        frame.join = sameShape(joinSite.input, shape) ? { kind: 'identity' } : null;
        return;
      }
      const request: ShortcutRequest = kind === 'shortcut' ? { kind: 'option', option: frame.shortcut } : { kind: kind as 'identity' | 'projection' | 'zeropad' };
      frame.join = makeShortcut(request, joinSite, this.ctx);
    }
    // A bad shortcut is reported; the branch's shape still flows on, so later stages are checked.
    if (frame.join === undefined) frame.join = null;
  }

  private customShortcut(lines: readonly Line[], scope: Scope, site: Parameters<typeof makeShortcut>[1], stack: readonly string[]): Shortcut | undefined {
    const branch = new Sequence(site.input, `${site.path}.shortcut`, site.range);
    for (const line of lines) {
      if (line.label) this.ctx.error('argument', line.label.range, msg('block.shortcutLabel'));
      this.line(line, scope, branch, stack);
    }
    if (!branch.shape) return undefined;
    if (!sameShape(branch.shape, site.branchOutput)) {
      this.ctx.error('shortcut-mismatch', site.range, msg('shortcut.branchMismatch', { shortcut: formatShape(branch.shape), output: formatShape(site.branchOutput) }), {
        related: [
          relatedNote(branch.lastRange, msg('related.shortcutOutput', { shape: formatShape(branch.shape) })),
          relatedNote(site.branchEndRange, msg('related.residualOutput', { shape: formatShape(site.branchOutput) })),
        ],
      });
      return undefined;
    }
    return { kind: 'layers', layers: branch.nodes, projection: false };
  }

  private call(call: CallItem, scope: Scope, seq: Sequence, stack: readonly string[]): void {
    const name = call.callee.text;
    const builtin = builtinBlocks.get(name);
    const decl = builtin ? undefined : this.ctx.blocks.get(name);
    if (!builtin && !decl) {
      const suggestion = closestName(name, [...builtinBlocks.keys(), ...this.ctx.blocks.keys()]);
      this.ctx.error('unknown-name', call.callee.range, unknownBlockMessage(name, suggestion), fixFor(suggestion));
      seq.shape = undefined;
      return;
    }
    if (decl) {
      this.ctx.markUsed(decl.name.range);
      if (stack.includes(name)) {
        this.ctx.error('recursion', call.callee.range, msg('block.recursion', { name, chain: [...stack, name].join(' → ') }));
        seq.shape = undefined;
        return;
      }
      if (stack.length >= MAX_BLOCK_NESTING) {
        const chain = [...stack.slice(0, 3), '…', ...stack.slice(-2), name].join(' → ');
        this.ctx.error('too-large', call.callee.range, msg('block.nesting', { limit: MAX_BLOCK_NESTING, chain }));
        // The caller and the blocks below are used, though not expanded: no "never used" warnings.
        this.markReachableUsed(stack.at(-1) ?? name);
        seq.shape = undefined;
        return;
      }
    }
    const specs: ArgSpec[] = builtin ? [...builtin.args, shortcutArg] : [...paramSpecs(decl as BlockDecl), shortcutArg];
    const what = msg('term.code', { name });
    const args = bindArgs(call.args, specs, what, scope, this.ctx);
    const trailing = bindArgs(call.trailing, [{ name: 'stride', type: 'int', description: msg('arg.stageStride') }, shortcutArg], msg('term.stageOf', { name }), scope, this.ctx);
    const repeat = call.repeat ? evaluate(call.repeat, scope, this.ctx) : 1;
    if (repeat === undefined) {
      seq.shape = undefined;
      return;
    }
    if (!Number.isInteger(repeat) || repeat < 0 || repeat > MAX_REPEAT) {
      this.ctx.error('argument', call.repeat?.range ?? call.range, msg('block.repeat', { max: MAX_REPEAT.toLocaleString('en-US'), repeat }));
      seq.shape = undefined;
      return;
    }
    let budgetBefore = this.ctx.layerBudget;
    // Every block has at least one layer: a repeat count beyond the budget is refused before expanding.
    if (!this.ctx.canSpend(repeat, call.repeat?.range ?? call.range)) {
      seq.shape = undefined;
      return;
    }
    const option = (trailing.word('shortcut') ?? args.word('shortcut') ?? this.options.shortcut) as ShortcutOption;
    // The stage's stride goes to its first block only, as in the paper's Table 1.
    const firstStride = trailing.number('stride') ?? args.number('stride') ?? 1;
    if (firstStride < 1) {
      this.ctx.error('argument', trailing.range('stride') ?? args.range('stride') ?? call.range, msg('block.strideAtLeast1', { stride: firstStride }));
      seq.shape = undefined;
      return;
    }
    if (decl && trailing.has('stride') && !decl.params.some((p) => p.name.text === 'stride')) {
      this.ctx.error('argument', trailing.range('stride') ?? call.range, msg('block.noStrideParameter', { name }));
      seq.shape = undefined;
      return;
    }
    for (let i = 0; i < repeat && seq.shape; i++) {
      // Blocks after the first are alike: once one of them is built, what the rest will cost is
      // known, and a repeat count that cannot fit is refused before they are built.
      if (i === 2 && !this.ctx.canSpend((repeat - 2) * (budgetBefore - this.ctx.layerBudget), call.repeat?.range ?? call.range)) {
        seq.shape = undefined;
        return;
      }
      if (i === 1) budgetBefore = this.ctx.layerBudget;
      // A block counts as a layer too: a block of nothing but other blocks still costs memory.
      if (!this.ctx.spendLayer(call.range)) {
        seq.shape = undefined;
        return;
      }
      const stride = i === 0 ? firstStride : 1;
      const input = seq.shape;
      // The two sides of a built-in block's addition, for its problems: where its input comes from
      // (what came before the call, or the call itself for a repeat) and the call that builds its branch.
      const sides = { input: i === 0 ? seq.lastRange : call.range, branch: call.callee.range };
      let block: BlockNode | undefined;
      if (builtin && isGateBlock(builtin.name)) block = this.builtinGate(builtin.name, args, call.args, input, seq.layerPath(builtin.name), call.range);
      else if (builtin) block = this.builtinBlock(builtin.name as 'basic' | 'bottleneck', args, stride, option, input, seq.blockPath(), call.range, sides);
      else block = this.userBlock(decl as BlockDecl, call, args, stride, option, input, seq.blockPath(), stack);
      if (!block) {
        seq.shape = undefined;
        return;
      }
      seq.nodes.push(block);
      seq.shape = block.output;
      seq.lastRange = call.range;
    }
  }

  private builtinBlock(
    kind: 'basic' | 'bottleneck',
    args: BoundArgs,
    stride: number,
    option: ShortcutOption,
    input: Shape,
    path: string,
    range: SourceRange,
    sides: { readonly input: SourceRange; readonly branch: SourceRange },
  ): BlockNode | undefined {
    const width = args.number(kind === 'basic' ? 'width' : 'planes');
    if (width === undefined) {
      if (!args.has(kind === 'basic' ? 'width' : 'planes')) {
        this.ctx.error('argument', range, kind === 'basic' ? msg('argument.basicNeeds') : msg('argument.bottleneckNeeds'));
      }
      return undefined;
    }
    const groups = args.number('groups') ?? 1;
    const baseWidth = args.number('base_width') ?? 64;
    for (const [value, label] of [
      [width, kind === 'basic' ? 'width' : 'planes'],
      [groups, 'groups'],
      [baseWidth, 'base_width'],
    ] as const) {
      if (value < 1) {
        this.ctx.error('argument', args.range(label) ?? range, msg('argument.atLeast1', { name: label, value }));
        return undefined;
      }
    }
    // Every block after the first in a stage has the same layers; build their specs once.
    const key = `${kind}:${width}:${stride}:${groups}:${baseWidth}`;
    let layers = this.branchCache.get(key);
    if (!layers) {
      const norm = this.options.norm;
      layers = kind === 'basic' ? basicBranch(width, stride, norm) : bottleneckBranch(width, stride, groups, baseWidth, this.options.downsample, norm);
      // With the model's `drop_path`, the branch is dropped per sample before the addition (timm's ResNet).
      if (this.options.dropPath && option !== 'none') layers = [...layers, { name: 'drop_path', spec: { op: 'droppath' } }];
      this.branchCache.set(key, layers);
    }
    const branch = this.builtLayers(layers, input, path, range);
    if (!branch) return undefined;
    const shape = branch.at(-1)?.output ?? input;
    const join = makeShortcut({ kind: 'option', option }, { input, branchOutput: shape, stride, path, range, callRange: sides.input, branchEndRange: sides.branch, norm: this.options.norm }, this.ctx);
    const relu = makeLayer({ op: 'relu' }, shape, `${path}.relu${kind === 'basic' ? 2 : 3}`, range, this.ctx);
    if (!relu) return undefined;
    return finishBlock(kind, path, input, branch, join ?? null, [relu], range);
  }

  /** `se(…)` or `eca(…)`: a gate with its paper's layers, sized from the input's channels. */
  private builtinGate(kind: 'se' | 'eca', args: BoundArgs, written: readonly Arg[], input: Shape, path: string, range: SourceRange): BlockNode | undefined {
    const channels = input[2];
    const positive = (name: string, fallback: number): number | undefined => {
      const v = args.number(name) ?? fallback;
      if (v < 1) {
        this.ctx.error('argument', args.range(name) ?? range, msg('argument.atLeast1', { name, value: v }));
        return undefined;
      }
      return v;
    };
    let layers: BranchLayer[];
    if (kind === 'se') {
      const reduction = positive('reduction', 16);
      const divisor = positive('divisor', 8);
      const squeeze = reduction === undefined || divisor === undefined ? undefined : positive('squeeze', seSqueeze(channels, reduction, divisor));
      if (squeeze === undefined) return undefined;
      layers = seBranch(channels, squeeze);
    } else {
      const gamma = positive('gamma', 2);
      const beta = args.number('beta') ?? 1;
      const kernel = gamma === undefined ? undefined : positive('kernel', ecaKernel(channels, gamma, beta));
      if (kernel === undefined || !checkOddKernel(kernel, args.range('kernel') ?? range, numberWritten(written, 'kernel', false), this.ctx)) return undefined;
      layers = ecaBranch(kernel);
    }
    const branch = this.builtLayers(layers, input, path, range);
    if (!branch) return undefined;
    const shape = branch.at(-1)?.output ?? input;
    return this.finishGate(kind, path, input, branch, shape, range, range, range);
  }

  /** A built-in block's layers, one after another from `input` (each paid for from the layer budget); undefined at the first that fails. */
  private builtLayers(layers: readonly { readonly name: string; readonly spec: Parameters<typeof makeLayer>[0] }[], input: Shape, path: string, range: SourceRange): LayerNode[] | undefined {
    const built: LayerNode[] = [];
    let shape = input;
    for (const { name, spec } of layers) {
      if (!this.ctx.spendLayer(range)) return undefined;
      const layer = makeLayer(spec, shape, `${path}.${name}`, range, this.ctx);
      if (!layer) return undefined;
      built.push(layer);
      shape = layer.output;
    }
    return built;
  }

  private userBlock(decl: BlockDecl, call: CallItem, args: BoundArgs, stride: number, option: ShortcutOption, input: Shape, path: string, stack: readonly string[]): BlockNode | undefined {
    const scope = new Scope(this.ctx.topScope);
    // The channels the block is given, so it can size its layers from them (unless a parameter is so named).
    scope.define(IN_CHANNELS, { value: input[2] });
    for (const param of decl.params) {
      let value = param.name.text === 'stride' ? stride : args.number(param.name.text);
      if (value === undefined && !args.has(param.name.text)) {
        if (param.defaultValue) value = evaluate(param.defaultValue, scope, this.ctx);
        else {
          this.ctx.error('argument', call.range, msg('block.needsParameter', { name: decl.name.text, parameter: param.name.text, parameters: decl.params.map((p) => p.name.text).join(', ') }));
          return undefined;
        }
      }
      scope.define(param.name.text, { value, declaration: param.name.range });
    }
    const frame: BlockFrame = {
      input,
      path,
      callRange: call.range,
      shortcut: option,
      stride: decl.params.some((p) => p.name.text === 'stride') ? stride : undefined,
    };
    const seq = new Sequence(input, path, call.range);
    this.body(decl.body, scope, seq, [...stack, decl.name.text], frame);
    if (!seq.shape) return undefined;
    if (!frame.branch) {
      if (frame.tap !== undefined) this.ctx.warning('unused', call.range, msg('block.tapWithoutAdd', { name: decl.name.text }));
      // No `add`: the block is a plain stack of layers.
      return finishBlock(decl.name.text, path, input, seq.nodes, null, [], call.range);
    }
    const tap = frame.join?.kind === 'layers' && frame.join.projection ? frame.tap : undefined;
    return finishBlock(decl.name.text, path, input, frame.branch, frame.join ?? null, seq.nodes, call.range, tap);
  }

  /** Marks every block that `name` calls, directly or not, as used; iteratively, however deep the chain. */
  private markReachableUsed(name: string): void {
    const pending = [name];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const decl = this.ctx.blocks.get(pending.pop() as string);
      if (!decl || seen.has(decl.name.text)) continue;
      seen.add(decl.name.text);
      this.ctx.markUsed(decl.name.range);
      for (const p of decl.params) this.ctx.markUsed(p.name.range);
      for (const s of decl.body) if (s.kind === 'let') this.ctx.markUsed(s.name.range);
      const lines = decl.body.flatMap((s) => (s.kind === 'line' ? [s] : []));
      while (lines.length > 0) {
        for (const item of (lines.pop() as Line).items) {
          if (item.kind === 'call') pending.push(item.callee.text);
          else if (item.kind === 'add' && item.branch) appendAll(lines, item.branch);
          else if (item.kind === 'gate' || item.kind === 'split') appendAll(lines, item.lines);
        }
      }
    }
  }

  /** The statements of a block body: `let`s and lines; settings belong to models. */
  body(statements: readonly Statement[], scope: Scope, seq: Sequence, stack: readonly string[], frame: BlockFrame): void {
    for (const statement of statements) {
      if (!seq.shape) return;
      switch (statement.kind) {
        case 'let':
          defineLet(statement, scope, this.ctx);
          break;
        case 'line':
          if (statement.label) this.ctx.error('argument', statement.label.range, msg('block.noStages', { label: statement.label.text }));
          this.line(statement, scope, seq, stack, frame);
          break;
        case 'setting':
          this.ctx.error('argument', statement.key.range, msg('block.notALayer', { name: statement.key.text }));
          break;
        case 'train':
          this.ctx.error('recipe', statement.keywordRange, msg('block.noRecipe'));
          break;
      }
    }
  }
}

/** The divisor of `channels` nearest to `groups` (the smaller on a tie): the quick fix for a split that does not divide. */
export function nearestDivisor(channels: number, groups: number): number {
  let best = 1;
  const consider = (d: number) => {
    const closer = Math.abs(d - groups) - Math.abs(best - groups);
    if (closer < 0 || (closer === 0 && d < best)) best = d;
  };
  for (let d = 1; d * d <= channels; d++) {
    if (channels % d !== 0) continue;
    consider(d);
    consider(channels / d);
  }
  return best;
}

function unknownBlockMessage(name: string, suggestion: string | undefined): MessageRef {
  return suggestion === undefined ? msg('block.unknown', { name }) : msg('block.unknownSuggest', { name, suggestion });
}

function paramSpecs(decl: BlockDecl): ArgSpec[] {
  return decl.params.map((p) => ({ name: p.name.text, type: 'number' as const, positional: true, description: msg('arg.parameterOf', { name: decl.name.text }) }));
}

/** The name a block's body reads its input's channels by. */
export const IN_CHANNELS = 'in_channels';

function finishBlock(blockName: string, path: string, input: Shape, branch: NetworkNode[], join: Shortcut | null, after: NetworkNode[], range: SourceRange, tap?: number): BlockNode {
  const joined = branch.at(-1)?.output ?? input;
  const parts: Cost[] = [];
  for (const node of branch) parts.push(node.cost);
  if (join?.kind === 'layers') for (const node of join.layers) parts.push(node.cost);
  for (const node of after) parts.push(node.cost);
  // The sum itself is kept for the backward pass too.
  const cost = sumCosts(parts, join ? shapeElements(joined) : 0);
  const output = after.at(-1)?.output ?? joined;
  return { kind: 'block', path, blockName, input, output, branch, shortcut: join ?? undefined, after, cost, range, ...(tap !== undefined && tap > 0 ? { tap } : {}) };
}

export function defineLet(statement: Extract<Statement, { kind: 'let' }>, scope: Scope, ctx: AnalysisContext): void {
  const value = statement.value ? evaluate(statement.value, scope, ctx) : undefined;
  if (scope.hasOwn(statement.name.text)) {
    ctx.error('duplicate', statement.name.range, msg('name.duplicateHere', { name: statement.name.text }));
    return;
  }
  scope.define(statement.name.text, { value, declaration: statement.name.range });
}
