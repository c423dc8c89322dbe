// A run of analyzed nodes as the entries of an `nn.Sequential`: a stage of a model, or a shortcut
// branch written out in a block. Entry names are the analyzer's path components (`conv1`, `0`), so
// a state dict's keys are the paths `resnet-studio stats` prints.
import type { BlockNode, LayerNode, NetworkNode } from '../core/analysis/network';
import { at } from '../core/indexed';
import type { Holes, Render } from './holes';
import { acceptsFlat, layerModule, SOFTMAX_NOTE } from './layerModules';
import { NameAllocator, type Rename } from './pythonSyntax';

export interface Entry {
  readonly name: string;
  readonly make: Render;
  /** The hole holding the source line this entry comes from. */
  readonly line?: number;
  readonly note?: string;
}

/** How a block is constructed where it is used; the block classes answer this. */
export interface BlockCaller {
  call(block: BlockNode, input: number, holes: Holes): { make: Render; output: number };
}

/** Whether the tensor flowing is [N, features] (after an fc) rather than NCHW. */
export interface FlowState {
  flat: boolean;
}

export interface SequenceOptions {
  readonly holes: Holes;
  readonly blocks: BlockCaller;
  readonly file: string;
  /** The first node reads a tensor someone else still needs (a block's input, the model's input). */
  readonly firstReadsShared: boolean;
  /** Where entry names that had to change are recorded for the user. */
  readonly renames: Rename[];
  /** The training rate of each drop path layer. */
  readonly dropPathRate?: ((layer: LayerNode) => number) | undefined;
}

/** The last component of an analyzer path: `conv1` of `conv2_x.0.conv1`, `0` of `conv2_x.0`. */
export function localName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

/** ReLU may work in place unless its input is still needed elsewhere or is an alias of one. */
export function reluInPlace(nodes: readonly NetworkNode[], index: number, firstReadsShared: boolean): boolean {
  if (index === 0) return !firstReadsShared;
  const previous = at(nodes, index - 1, 'network nodes');
  return !(previous.kind === 'layer' && previous.spec.op === 'softmax');
}

export function sequenceEntries(nodes: readonly NetworkNode[], input: number, state: FlowState, options: SequenceOptions): { entries: Entry[]; output: number } {
  const { holes } = options;
  const entries: Entry[] = [];
  const used = new Set(nodes.map((n) => localName(n.path)));
  const helperName = (base: string) => {
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}${n}`;
    used.add(name);
    return name;
  };
  // Entries are attributes of the nn.Sequential: a layer named `forward` or `_modules` gets
  // another name (said in its comment); numbered blocks (`0`, `1`) are what nn.Sequential expects.
  const entryNames = new NameAllocator(
    'attribute',
    options.renames,
    [...used].filter((n) => /^[0-9]+$/.test(n)),
  );
  const entryName = (node: NetworkNode): { name: string; note?: string } => {
    const wanted = localName(node.path);
    if (/^[0-9]+$/.test(wanted)) return { name: wanted };
    const name = entryNames.allocate(wanted);
    return name === wanted ? { name } : { name, note: `\`${wanted}\` in the .resnet file (renamed: see the export's notes)` };
  };
  let flow = input;
  nodes.forEach((node, index) => {
    // The analyzer keeps splits inside blocks (their layers are the block's module lists).
    if (node.kind === 'split') throw new Error(`export: the split ${node.path} is not inside a block`);
    if (state.flat && (node.kind === 'block' || !acceptsFlat(node))) {
      const channels = flow;
      entries.push({ name: helperName('unflatten'), make: (fill) => `nn.Unflatten(1, (${fill(channels).text}, 1, 1))` });
      state.flat = false;
    }
    if (node.kind === 'block') {
      const code = options.blocks.call(node, flow, holes);
      const { name, note } = entryName(node);
      entries.push({ name, make: code.make, line: holes.add('line', '', `${options.file}:${node.range.startLine}`), ...(note ? { note } : {}) });
      flow = code.output;
      return;
    }
    if (node.spec.op === 'fc' && !state.flat) {
      entries.push({ name: helperName('flatten'), make: () => 'nn.Flatten(1)' });
      state.flat = true;
    }
    const { name, note } = entryName(node);
    const code = layerModule(node, name, flow, { holes, inplace: reluInPlace(nodes, index, options.firstReadsShared), dropPathRate: options.dropPathRate });
    const notes = [note, node.spec.op === 'softmax' ? SOFTMAX_NOTE : undefined].filter((n) => n !== undefined).join('; ');
    entries.push({ name, make: code.make, line: lineHole(node, holes, options.file), ...(notes ? { note: notes } : {}) });
    flow = code.output;
  });
  return { entries, output: flow };
}

export function lineHole(layer: LayerNode, holes: Holes, file: string): number {
  return holes.add('line', '', `${file}:${layer.range.startLine}`);
}
