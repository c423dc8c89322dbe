// Residual blocks as Python classes. Every use of a block whose layers have the same structure
// shares one class; the numbers that differ between uses (channels, a stride) become constructor
// parameters, the ones all uses share stay literal. Channels are always parameters, so a class
// reads like torchvision's: `basic(in_channels, width, stride=1, shortcut=None)`.
import type { BlockNode, LayerNode, NetworkNode, Shortcut, SplitNode } from '../core/analysis/network';
import { at } from '../core/indexed';
import { Holes, type Fill, type HoleKind, type Render } from './holes';
import { acceptsFlat, fcReadsChannels, layerModule, poolPadsBeyondHalf, SOFTMAX_NOTE } from './layerModules';
import { docstring, NameAllocator, type Rename } from './pythonSyntax';
import { lineHole, localName, reluInPlace, sequenceEntries, type BlockCaller } from './sequences';
import { comment, sequentialText } from './sequentialText';

export interface SourceInfo {
  /** The `.resnet` file's name, as comments cite it. */
  readonly file: string;
  /** The line that defines a user block, when the source text is at hand. */
  blockLine(name: string): number | undefined;
}

interface Param {
  readonly name: string;
  readonly kind: HoleKind;
  readonly type: string;
  readonly default?: string | undefined;
  /** The holes (of every use's template) this parameter fills. */
  readonly holes: readonly number[];
}

export interface BlockClass {
  readonly name: string;
  readonly lines: readonly string[];
}

interface ClassPlan extends BlockClass {
  readonly params: readonly Param[];
  readonly takesShortcut: boolean;
  /** The parameter that sets the block's output channels. */
  readonly outputParam?: string | undefined;
  /** Each use's value of each parameter. */
  readonly values: ReadonlyMap<BlockNode, ReadonlyMap<string, string>>;
}

interface Member {
  readonly attribute: string;
  /** The right-hand side; later lines are indented for the constructor's body. */
  readonly render: (fill: Fill) => string[];
  readonly line?: number;
  readonly note?: string;
}

interface Template {
  readonly holes: Holes;
  readonly output: number;
  readonly members: readonly Member[];
  readonly forward: readonly string[];
  readonly shortcut: 'none' | 'passed' | 'custom';
}

const BODY_INDENT = '        ';

/** What the numbers of the built-in blocks mean, so their classes take `width`, not `out_channels2`. */
function builtinRole(blockName: string): ((layer: string, field: 'filters' | 'stride' | 'groups') => string | undefined) | undefined {
  if (blockName !== 'basic' && blockName !== 'bottleneck') return undefined;
  return (layer, field) => {
    if (field !== 'filters') return field;
    return blockName === 'bottleneck' && layer === 'conv3' ? 'out_channels' : 'width';
  };
}

const BUILTIN_DOCS: Record<string, string> = {
  basic: 'The built-in `basic` block (He et al. 2015, Fig. 2 left): two 3×3 convolutions with BatchNorm and ReLU.',
  bottleneck: 'The built-in `bottleneck` block (He et al. 2015, Fig. 5 right): 1×1 reduce, 3×3, 1×1 expand, each with BatchNorm.',
};

export class BlockClasses implements BlockCaller {
  private readonly keys = new WeakMap<BlockNode, string>();
  private readonly uses = new Map<string, BlockNode[]>();
  /** Whether the blocks of a key add a shortcut at all. */
  private readonly adds = new Map<string, boolean>();
  private readonly plans = new Map<string, ClassPlan>();
  private readonly finished: ClassPlan[] = [];
  usesZeroPad = false;
  usesProjection = false;

  constructor(
    private readonly classNames: NameAllocator,
    private readonly source: SourceInfo,
    /** Where attribute names that had to change are recorded for the user. */
    private readonly renames: Rename[] = [],
    /** The training rate of each drop path layer (the model's schedule decides most). */
    private readonly dropPathRate: (layer: LayerNode) => number = () => 0,
  ) {}

  /** Records every block among `nodes` (nested ones too); call for all models before `call`. */
  register(nodes: readonly NetworkNode[]): void {
    for (const node of nodes) {
      if (node.kind !== 'block') continue;
      const key = this.keyOf(node);
      const list = this.uses.get(key);
      if (list) list.push(node);
      else this.uses.set(key, [node]);
      this.adds.set(key, node.shortcut !== undefined);
      this.register(node.branch);
      if (node.shortcut?.kind === 'layers') this.register(node.shortcut.layers);
      this.register(node.after);
    }
  }

  /** The classes used so far, each after the classes it uses. */
  get classes(): readonly BlockClass[] {
    return this.finished;
  }

  call(block: BlockNode, input: number, holes: Holes): { make: Render; output: number } {
    const plan = this.plan(this.keyOf(block));
    const values = plan.values.get(block) as ReadonlyMap<string, string>;
    const args: { hole: number; name?: string; default?: string | undefined }[] = [];
    let output: number | undefined;
    for (const param of plan.params) {
      const hole = param.kind === 'in' ? input : holes.add(param.kind, param.name, values.get(param.name) as string);
      if (param.name === plan.outputParam) output = hole;
      args.push(param.kind === 'in' || param.kind === 'channels' ? { hole } : { hole, name: param.name, default: param.default });
    }
    const shortcut = plan.takesShortcut ? this.shortcutArgument(block.shortcut, input, holes) : undefined;
    return {
      make: (fill) => {
        const texts: string[] = [];
        for (const arg of args) {
          const filled = fill(arg.hole);
          if (arg.name === undefined) texts.push(filled.text);
          else if (filled.literal === undefined || filled.literal !== arg.default) texts.push(`${arg.name}=${filled.text}`);
        }
        if (shortcut) texts.push(`shortcut=${shortcut(fill)}`);
        return `${plan.name}(${texts.join(', ')})`;
      },
      output: output ?? holes.add('channels', 'out_channels', block.output[2]),
    };
  }

  /** The module a block is given for its addition; undefined for the identity (the default, None). */
  private shortcutArgument(shortcut: Shortcut | undefined, input: number, holes: Holes): Render | undefined {
    if (!shortcut || shortcut.kind === 'identity') return undefined;
    if (shortcut.kind === 'zeropad') {
      this.usesZeroPad = true;
      const stride = holes.add('stride', 'stride', shortcut.stride);
      const extra = holes.add('other', 'extra_channels', shortcut.extraChannels);
      return (fill) => `ZeroPadShortcut(stride=${fill(stride).text}, extra_channels=${fill(extra).text})`;
    }
    this.usesProjection = true;
    const conv = shortcut.layers[0] as LayerNode;
    const spec = conv.spec.op === 'conv' ? conv.spec : undefined;
    const out = holes.add('channels', 'out_channels', spec?.filters ?? conv.output[2]);
    const stride = holes.add('stride', 'stride', spec?.stride ?? 1);
    // The model's `norm` (or `add …, norm`): BatchNorm is the helper's default.
    const normLayer = shortcut.layers[1];
    const norm = !normLayer ? 'None' : normLayer.kind === 'layer' && normLayer.spec.op !== 'bn' ? layerModule(normLayer, 'bn1', out, { holes, inplace: false }).make : undefined;
    return (fill) => {
      const s = fill(stride);
      const normText = norm === undefined ? '' : `, norm=${typeof norm === 'string' ? norm : norm(fill)}`;
      return `projection(${fill(input).text}, ${fill(out).text}${s.literal === '1' ? '' : `, stride=${s.text}`}${normText})`;
    };
  }

  /** Blocks with one key have the same layers in the same order, so one class builds them all. */
  private keyOf(block: BlockNode): string {
    const known = this.keys.get(block);
    if (known) return known;
    const layerKey = (n: LayerNode, name: string) => `${name}:${n.spec.op}${n.spec.op === 'fc' ? (fcReadsChannels(n) ? '/c' : '/hwc') : ''}${poolPadsBeyondHalf(n) ? '/padded' : ''}`;
    // A split's path layers are module lists, named by the list (`convs`), not by their group.
    const splitKey = (n: SplitNode) =>
      `split(${n.cascade ? 'cascade,' : ''}${n.keep ? 'keep,' : ''}${n.columns.map((c, i) => c.map((l) => layerKey(l, n.keep && i === n.columns.length - 1 ? localName(l.path) : (l.path.split('.').at(-2) ?? ''))).join(',')).join('|')})`;
    const sequence = (nodes: readonly NetworkNode[]): string =>
      nodes.map((n) => (n.kind === 'layer' ? layerKey(n, localName(n.path)) : n.kind === 'split' ? splitKey(n) : `${localName(n.path)}:(${this.keyOf(n)})${passedKind(n.shortcut)}`)).join(',');
    const shortcut = block.multiplies
      ? 'gate'
      : !block.shortcut
        ? 'none'
        : block.shortcut.kind === 'layers' && !block.shortcut.projection
          ? `custom[${sequence(block.shortcut.layers)}]`
          : `passed${block.tap !== undefined ? `@${block.tap}` : ''}`;
    const key = `${block.blockName}{${sequence(block.branch)};${shortcut};${sequence(block.after)}}`;
    this.keys.set(block, key);
    return key;
  }

  private plan(key: string): ClassPlan {
    const known = this.plans.get(key);
    if (known) return known;
    const uses = this.uses.get(key);
    if (!uses) throw new Error(`export: a block was not registered before use (${key})`);
    const templates = uses.map((b) => this.template(b));
    const first = at(templates, 0, 'block templates');
    const blockName = at(uses, 0, 'block uses').blockName;
    // A block used with and without its shortcut (`shortcut none` on some stages) makes two classes.
    const plain = first.shortcut === 'none' && [...this.uses].some(([k, u]) => k !== key && u[0]?.blockName === blockName && this.adds.get(k));
    const name = this.classNames.allocate(plain ? `${blockName}_plain` : blockName);

    const used = accessedHoles(first);
    const { params, fill } = deriveParams(templates, used);
    const values = new Map<BlockNode, Map<string, string>>();
    uses.forEach((block, i) => values.set(block, new Map(params.map((p) => [p.name, at(templates, i, 'block templates').holes.value(at(p.holes, 0, 'parameter holes'))]))));
    const outputParam = params.find((p) => p.holes.includes(first.output))?.name;
    const takesShortcut = first.shortcut === 'passed';

    const signature = ['self', ...params.map((p) => `${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ''}`), ...(takesShortcut ? ['shortcut: nn.Module | None = None'] : [])];
    const lines = [
      `class ${name}(nn.Module):`,
      docstring(this.docstring(name, blockName, first.shortcut, plain), '    '),
      '',
      `    def __init__(${signature.join(', ')}) -> None:`,
      '        super().__init__()',
      ...first.members.map((m) => {
        const [head, ...rest] = m.render(fill);
        return [`        self.${m.attribute} = ${head}${comment(m, fill)}`, ...rest].join('\n');
      }),
      '',
      '    def forward(self, x: torch.Tensor) -> torch.Tensor:',
      ...first.forward.map((s) => `        ${s}`),
    ];
    const plan: ClassPlan = { name, lines, params, takesShortcut, outputParam, values };
    this.plans.set(key, plan);
    this.finished.push(plan);
    return plan;
  }

  private docstring(name: string, blockName: string, shortcut: Template['shortcut'], plain: boolean): string {
    const line = this.source.blockLine(blockName);
    const origin = BUILTIN_DOCS[blockName] ?? `The block \`${blockName}\` of ${this.source.file}${line !== undefined ? `:${line}` : ''}.`;
    const join =
      shortcut === 'passed'
        ? ' `shortcut` is what the shortcut option adds (None: the identity; option A: zero-padding; B and C: a projection).'
        : shortcut === 'custom'
          ? ' Its shortcut branch is written out in the block.'
          : plain
            ? ' Here without a shortcut (`shortcut none`: a plain network).'
            : '';
    const variant = name !== blockName && !plain ? ' A variant: the blocks inside it take other shortcuts than in the class of the same name.' : '';
    return `${origin}${join}${variant}`;
  }

  /** One use of a block written out, its numbers as holes. */
  private template(block: BlockNode): Template {
    const holes = new Holes();
    const file = this.source.file;
    const role = builtinRole(block.blockName);
    const input = holes.add('in', 'in_channels', block.input[2]);
    const members: Member[] = [];
    const forward: string[] = [];
    let flat = false;
    let reading = 'x';
    let flow = input;
    // Layers are attributes of the block's class: `forward`, `_modules` or `shortcut` (the class's
    // own) get another name, said in the layer's comment.
    const attributes = new NameAllocator('attribute', this.renames, ['shortcut']);
    const attributeFor = (wanted: string): { attribute: string; note?: string } => {
      const attribute = attributes.allocate(wanted);
      return attribute === wanted ? { attribute } : { attribute, note: `\`${wanted}\` in the .resnet file (renamed: see the export's notes)` };
    };
    const assign = (expression: string) => {
      forward.push(`out = ${expression}`);
      reading = 'out';
    };
    const unflatten = () => {
      assign(`${reading}.reshape(${reading}.size(0), -1, 1, 1)`);
      flat = false;
    };
    const emit = (nodes: readonly NetworkNode[]) => {
      const firstReadsShared = reading === 'x';
      nodes.forEach((node, index) => {
        if (flat && (node.kind !== 'layer' || !acceptsFlat(node))) unflatten();
        if (node.kind === 'split') {
          emitSplit(node);
          return;
        }
        if (node.kind === 'block') {
          // Python attributes cannot be numbers: a nested block `…0.1` is `block1`.
          const { attribute } = attributeFor(`block${localName(node.path)}`);
          const code = this.call(node, flow, holes);
          members.push({ attribute, render: (fill) => [code.make(fill)], line: holes.add('line', '', `${file}:${node.range.startLine}`) });
          assign(`self.${attribute}(${reading})`);
          flow = code.output;
          return;
        }
        if (node.spec.op === 'fc' && !flat) {
          assign(`torch.flatten(${reading}, 1)`);
          flat = true;
        }
        const { attribute, note } = attributeFor(localName(node.path));
        const code = layerModule(node, attribute, flow, { holes, inplace: reluInPlace(nodes, index, firstReadsShared), role, dropPathRate: this.dropPathRate });
        const notes = [note, node.spec.op === 'softmax' ? SOFTMAX_NOTE : undefined].filter((n) => n !== undefined).join('; ');
        members.push({ attribute, render: (fill) => [code.make(fill)], line: lineHole(node, holes, file), ...(notes ? { note: notes } : {}) });
        assign(`self.${attribute}(${reading})`);
        flow = code.output;
      });
    };

    /**
     * A split as timm writes Res2Net's: one module list per layer of the groups' path (`convs`,
     * `bns`), the kept group's layers by themselves (`pool`), and the loop over the groups in
     * `forward`; the groups are views of one tensor (torch.split), joined by torch.cat.
     */
    const emitSplit = (split: SplitNode) => {
      if (flat) unflatten();
      // timm's name for the group width; `width2` for a block's second split (no layer is so named).
      const number = /[0-9]+$/.exec(localName(split.path))?.[0] ?? '1';
      const width = number === '1' ? 'width' : `width${number}`;
      const groupWidth = holes.add('channels', 'group_width', split.input[2] / split.groups);
      members.push({ attribute: width, render: (fill) => [fill(groupWidth).text] });
      const paths = split.keep ? split.groups - 1 : split.groups;
      const count = holes.add('other', 'split_paths', paths);
      const [path = [], kept = []] = [split.columns[0], split.keep ? split.columns.at(-1) : undefined];
      const moduleOf = (layer: LayerNode, index: number, column: readonly LayerNode[], input: number, list: boolean) => {
        const name = list ? (layer.path.split('.').at(-2) ?? localName(layer.path)) : localName(layer.path);
        const { attribute, note } = attributeFor(name);
        const code = layerModule(layer, name, input, { holes, inplace: reluInPlace(column, index, true), role, dropPathRate: this.dropPathRate });
        const make = list ? (fill: Fill) => `nn.ModuleList([${code.make(fill)} for _ in range(${fill(count).text})])` : code.make;
        members.push({ attribute, render: (fill) => [make(fill)], line: lineHole(layer, holes, file), ...(note ? { note } : {}) });
        return { attribute, output: code.output };
      };
      let groupFlow = groupWidth;
      const pathAttributes = path.map((layer, index) => {
        const made = moduleOf(layer, index, path, groupFlow, true);
        groupFlow = made.output;
        return made.attribute;
      });
      let keptFlow = groupWidth;
      const keptAttributes = kept.map((layer, index) => {
        const made = moduleOf(layer, index, kept, keptFlow, false);
        keptFlow = made.output;
        return made.attribute;
      });
      forward.push(`parts = torch.split(${reading}, self.${width}, 1)`, 'joined = []', `for i, part in enumerate(parts${split.keep ? '[:-1]' : ''}):`);
      if (split.cascade) forward.push('    if i > 0:', '        part = part + joined[-1]');
      for (const attribute of pathAttributes) forward.push(`    part = self.${attribute}[i](part)`);
      forward.push('    joined.append(part)');
      if (split.keep) forward.push(`joined.append(${keptAttributes.reduce((inner, attribute) => `self.${attribute}(${inner})`, 'parts[-1]')})`);
      assign('torch.cat(joined, 1)');
      flow = holes.add('channels', 'out_channels', split.output[2]);
    };

    let shortcut: Template['shortcut'] = 'none';
    let tapped = 'x';
    if (block.tap !== undefined) {
      // Pre-activation: the projection reads the branch after its first layers.
      emit(block.branch.slice(0, block.tap));
      forward.push(`tapped = ${reading}`);
      tapped = 'tapped';
      emit(block.branch.slice(block.tap));
    } else {
      emit(block.branch);
    }
    if (block.multiplies) {
      // A gate: the input times the factor its layers make, broadcast over H×W.
      if (flat) unflatten();
      assign(`x * ${reading}`);
    } else if (block.shortcut) {
      if (flat) unflatten();
      if (block.shortcut.kind === 'layers' && !block.shortcut.projection) {
        shortcut = 'custom';
        const branch = sequenceEntries(block.shortcut.layers, input, { flat: false }, { holes, blocks: this, file, firstReadsShared: true, renames: this.renames });
        members.push({ attribute: 'shortcut', render: (fill) => sequentialText(branch.entries, fill, BODY_INDENT) });
        assign(`${reading} + self.shortcut(x)`);
      } else {
        shortcut = 'passed';
        members.push({ attribute: 'shortcut', render: () => ['shortcut'] });
        assign(`${reading} + (x if self.shortcut is None else self.shortcut(${tapped}))`);
      }
    }
    emit(block.after);
    if (flat) unflatten();
    forward.push(`return ${reading}`);
    return { holes, output: flow, members, forward, shortcut };
  }
}

function passedKind(shortcut: Shortcut | undefined): string {
  if (!shortcut) return '';
  if (shortcut.kind === 'layers') return shortcut.projection ? '+projection' : '';
  return `+${shortcut.kind}`;
}

/** The holes the class's code reads (an unread `in_channels` makes no parameter). */
function accessedHoles(template: Template): Set<number> {
  const used = new Set<number>();
  const fill: Fill = (hole) => {
    used.add(hole);
    return { text: '_' };
  };
  for (const member of template.members) {
    member.render(fill);
    if (member.line !== undefined) fill(member.line);
  }
  return used;
}

/**
 * Which holes become parameters, merged where they always hold the same value (a basic block's
 * two convolutions share `width`); the rest are filled with their common value.
 */
function deriveParams(templates: readonly Template[], used: ReadonlySet<number>): { params: Param[]; fill: Fill } {
  const first = at(templates, 0, 'block templates');
  type Group = { kind: HoleKind; hint: string; holes: number[]; values: string[] };
  const groups = new Map<string, Group>();
  const literals = new Map<number, string | undefined>();
  first.holes.list.forEach((hole, i) => {
    const values = templates.map((t) => t.holes.value(i));
    const [firstValue] = values;
    const constant = values.every((v) => v === firstValue);
    if (hole.kind === 'line') {
      literals.set(i, constant ? firstValue : undefined);
      return;
    }
    if (!used.has(i)) return;
    if (hole.kind !== 'in' && hole.kind !== 'channels' && constant) {
      literals.set(i, firstValue);
      return;
    }
    const key = hole.kind === 'in' ? 'in' : hole.kind === 'channels' && !hole.role ? `channels:${values.join(',')}` : `${hole.kind}:${hole.role ?? hole.hint}:${values.join(',')}`;
    const group = groups.get(key) ?? { kind: hole.kind, hint: hole.role ?? hole.hint, holes: [], values };
    group.holes.push(i);
    groups.set(key, group);
  });

  const taken = new Set(['self', 'shortcut', 'x', 'out', 'torch', 'nn', 'super']);
  const unique = (hint: string) => {
    // Hints come from layer names (`conv1_kernel`); one from a numbered layer (`1_kernel`) is no identifier.
    const wanted = /^[0-9]/.test(hint) ? `layer${hint}` : hint;
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`;
    taken.add(name);
    return name;
  };
  const ordered = [...groups.values()].sort((a, b) => rank(a) - rank(b) || at(a.holes, 0, 'group holes') - at(b.holes, 0, 'group holes'));
  const params: Param[] = ordered.map((g) => {
    const wanted = g.kind === 'in' ? 'in_channels' : g.kind === 'channels' && g.hint === 'out_channels' && !g.holes.includes(first.output) && !isRole(g, first) ? 'width' : g.hint;
    const defaultValue = (g.kind === 'stride' || g.kind === 'groups') && g.values.includes('1') ? '1' : undefined;
    return { name: unique(wanted), kind: g.kind, type: pythonType(g.values), holes: g.holes, ...(defaultValue ? { default: defaultValue } : {}) };
  });
  const byHole = new Map<number, string>();
  for (const p of params) for (const h of p.holes) byHole.set(h, p.name);
  const fill: Fill = (hole) => {
    const name = byHole.get(hole);
    if (name !== undefined) return { text: name };
    const literal = literals.get(hole);
    return literal === undefined ? { text: '' } : { text: literal, literal };
  };
  return { params, fill };

  function rank(g: Group): number {
    if (g.kind === 'in') return 0;
    if (g.kind === 'channels') return 1;
    return (g.kind === 'stride' || g.kind === 'groups') && g.values.includes('1') ? 3 : 2;
  }
}

/** Whether a channel group's name came from a built-in block's role rather than a guess. */
function isRole(group: { holes: readonly number[] }, template: Template): boolean {
  return group.holes.some((h) => at(template.holes.list, h, 'export hole').role !== undefined);
}

function pythonType(values: readonly string[]): string {
  if (values.every((v) => v === 'True' || v === 'False')) return 'bool';
  if (values.some((v) => v.startsWith('('))) return 'int | tuple[int, int]';
  return 'int';
}
