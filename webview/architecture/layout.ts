// Where each node and edge of the architecture view goes: a layout of our own, top to bottom.
//
// Why not ELK (elkjs) or dagre: a ResNet is a chain with skips. Each block is one fixed pattern —
// the input splits into the residual branch (a column of layers) and the shortcut (a line, or a
// short column for a projection, in a lane beside it), both meet at the addition, and the chain
// goes on. A general layered layout would spend its time on what is already known (layer
// assignment, crossing minimisation over thousands of nodes for ResNet-1202) and, worse, a small
// edit anywhere could reorder or shift far-away nodes, where the issue wants the unchanged parts to
// keep their place while the user types. Here a node's position depends only on what comes before
// it: one pass, O(nodes), and an edit moves only what follows it, by whole rows.
import type { ArchitectureGraph, GraphBlock, GraphChangeStatus, GraphCost, GraphItem, GraphSplit, GraphStage } from '../../src/core/report/architectureGraph';
import { formatShape, type Shape } from '../../src/core/analysis/shape';

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 26;
/** Vertical room between two nodes: the edge and its shape label. */
const EDGE_GAP = 24;
const ADD_RADIUS = 10;
const LANE_GAP = 56;
/** Between two columns of a split. */
const COLUMN_GAP = 28;
const BLOCK_PAD = 8;
const BLOCK_HEADER = 16;
const STAGE_PAD = 14;
const STAGE_HEADER = 24;
const FOLDED_STAGE_HEIGHT = 44;

export type NodeKind = 'io' | 'layer' | 'add' | 'stage';

/** What a node stands for, for hover, selection and colour. */
export interface NodeSource {
  readonly id: string;
  readonly label: string;
  readonly input: Shape;
  readonly output: Shape;
  readonly cost?: GraphCost | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly error?: string | undefined;
  readonly status?: GraphChangeStatus | undefined;
  readonly change?: string | undefined;
  /** `conv`, `bn` … for layers; `block`, `stage` otherwise. */
  readonly op: string;
  /** The stage it belongs to. */
  readonly stage?: string | undefined;
  /** For an addition: its block. */
  readonly block?: GraphBlock | undefined;
  /** For a split's joins: its concatenation (‖) or a cascade's addition (+). */
  readonly split?: GraphSplit | undefined;
  /** The glyph of a join drawn as a circle, where it is not a block's `+` or a gate's `×`. */
  readonly glyph?: string | undefined;
  readonly stageNode?: GraphStage | undefined;
}

export interface LaidNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** Top-left corner and size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly source: NodeSource;
}

export interface LaidEdge {
  readonly id: string;
  readonly points: readonly (readonly [number, number])[];
  readonly label?: string | undefined;
  readonly labelAt?: readonly [number, number] | undefined;
  readonly shortcut: boolean;
  /** A shortcut that cannot add: drawn in the error colour. */
  readonly error: boolean;
  readonly status?: GraphChangeStatus | undefined;
  readonly minY: number;
  readonly maxY: number;
}

/** A box drawn around a block or an unfolded stage. */
export interface LaidGroup {
  readonly id: string;
  readonly kind: 'block' | 'stage';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly source: NodeSource;
}

export interface Layout {
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
  readonly groups: readonly LaidGroup[];
  readonly width: number;
  readonly height: number;
  /** Every node and group by id. */
  readonly byId: ReadonlyMap<string, LaidNode | LaidGroup>;
}

interface Port {
  readonly x: number;
  readonly y: number;
  readonly shape: Shape;
  readonly status?: GraphChangeStatus | undefined;
}

/** Folded stages draw as one node; everything else is drawn out. */
export function layoutGraph(graph: ArchitectureGraph, folded: ReadonlySet<string>): Layout {
  const nodes: LaidNode[] = [];
  const edges: LaidEdge[] = [];
  const groups: LaidGroup[] = [];
  let maxX = NODE_WIDTH;

  /**
   * An edge from a port down to a point. A shortcut (`via` a lane) first runs down the main line to
   * `splitY` (inside its block, under the block's title), across to the lane, down, and in.
   */
  const edge = (
    id: string,
    from: Port,
    to: readonly [number, number],
    options: { shortcut?: boolean; label?: string; via?: number; splitY?: number; status?: GraphChangeStatus | undefined; error?: boolean } = {},
  ) => {
    let points: (readonly [number, number])[];
    let labelAt: [number, number];
    if (options.via === undefined) {
      points = [[from.x, from.y], to];
      // Near the end it points into: a stage's or block's title sits near the start.
      labelAt = [from.x - 6, to[1] - 7];
    } else {
      const splitY = Math.max(from.y, options.splitY ?? from.y);
      // Down to the split the shortcut shares the main edge, which is drawn there already.
      points = [
        [from.x, splitY],
        [options.via, splitY],
        [options.via, to[1]],
        [to[0], to[1]],
      ];
      labelAt = [options.via + 6, splitY + 14];
    }
    const label = options.label ?? formatShape(from.shape);
    const ys = points.map((p) => p[1]);
    edges.push({
      id,
      points,
      label,
      labelAt,
      shortcut: options.shortcut ?? false,
      error: options.error ?? false,
      status: options.status ?? from.status,
      minY: Math.min(...ys) - 8,
      maxY: Math.max(...ys) + 8,
    });
  };
  const node = (kind: NodeKind, x: number, y: number, width: number, height: number, source: NodeSource) => {
    nodes.push({ id: source.id, kind, x, y, width, height, source });
    maxX = Math.max(maxX, x + width);
  };

  /** The dashed box around a block or a split, titled with its path and what it is. */
  const box = (item: GraphBlock | GraphSplit, op: 'block' | 'split', stage: string, cx: number, top: number, right: number, bottom: number) => {
    const left = cx - NODE_WIDTH / 2 - BLOCK_PAD;
    groups.push({
      id: item.id,
      kind: 'block',
      x: left,
      y: top,
      width: right + BLOCK_PAD - left,
      height: bottom + BLOCK_PAD - top,
      title: `${item.id} · ${item.label}`,
      source: { ...item, op, stage },
    });
  };

  // A column of items at centre x, starting below `port`; returns the port of the last one.
  /** `sideways`: the first edge leaves the port with a bend into this lane (a projection shortcut). */
  const column = (items: readonly GraphItem[], cx: number, top: number, port: Port, stage: string, sideways?: { via: number; splitY: number }): { port: Port; bottom: number; right: number } => {
    let y = top;
    let right = cx + NODE_WIDTH / 2;
    for (const [index, item] of items.entries()) {
      if (item.kind === 'layer') {
        node('layer', cx - NODE_WIDTH / 2, y, NODE_WIDTH, NODE_HEIGHT, { ...item, op: item.op, stage });
        if (index === 0 && sideways !== undefined) edge(`${item.id}<`, port, [cx, y], { shortcut: true, ...sideways });
        else edge(`${item.id}<`, port, [cx, y]);
        port = { x: cx, y: y + NODE_HEIGHT, shape: item.output, status: item.status };
        y += NODE_HEIGHT + EDGE_GAP;
        continue;
      }
      const laid = item.kind === 'split' ? split(item, cx, y, port, stage) : block(item, cx, y, port, stage);
      port = laid.port;
      y = laid.bottom + EDGE_GAP;
      right = Math.max(right, laid.right);
    }
    return { port, bottom: y - EDGE_GAP, right };
  };

  const block = (b: GraphBlock, cx: number, top: number, port: Port, stage: string): { port: Port; bottom: number; right: number } => {
    const innerTop = top + BLOCK_HEADER + BLOCK_PAD;
    const split: Port = port;
    const splitY = top + BLOCK_HEADER;
    const branch = column(b.branch, cx, innerTop, split, stage);
    let right = branch.right;
    let joined: Port = branch.port;
    let bottom = branch.bottom;
    // A block whose shortcut cannot add (an identity across a shape change) is drawn with its
    // addition, failed, so the error has its place.
    const failed = b.shortcut === 'none' && b.error !== undefined;
    if (b.shortcut !== 'none' || failed) {
      const lane = branch.right + LANE_GAP;
      let shortcutPort: Port = split;
      let shortcutBottom = innerTop;
      let laneX = lane;
      if (b.shortcutLayers.length > 0) {
        laneX = lane + NODE_WIDTH / 2;
        // The split point sits on the main line just above the block; the projection hangs beside it.
        const laid = column(b.shortcutLayers, laneX, innerTop, split, stage, { via: laneX, splitY });
        shortcutPort = laid.port;
        shortcutBottom = laid.bottom;
        right = Math.max(right, laid.right);
      } else right = Math.max(right, lane + 40);
      const addY = Math.max(branch.bottom, shortcutBottom) + EDGE_GAP;
      const addSource: NodeSource = {
        id: `${b.id}+`,
        // A gate's join multiplies the block's input by its branch's output.
        label: b.shortcut === 'gate' ? 'multiply' : 'add',
        input: b.branch.at(-1)?.output ?? b.input,
        output: b.after[0]?.input ?? b.output,
        op: 'add',
        stage,
        block: b,
        line: b.line,
        column: b.column,
        error: b.error,
        status: b.status,
      };
      node('add', cx - ADD_RADIUS, addY, 2 * ADD_RADIUS, 2 * ADD_RADIUS, addSource);
      edge(`${b.id}+<`, branch.port, [cx, addY]);
      if (b.shortcutLayers.length > 0) edge(`${b.id}+<s`, shortcutPort, [cx + ADD_RADIUS, addY + ADD_RADIUS], { shortcut: true, via: laneX });
      else {
        const label = failed ? `shortcut cannot add · ${formatShape(split.shape)}` : `${b.shortcutLabel} · ${formatShape(split.shape)}`;
        edge(`${b.id}+<s`, split, [cx + ADD_RADIUS, addY + ADD_RADIUS], { shortcut: true, via: laneX, splitY, label, status: b.status, error: failed });
      }
      joined = { x: cx, y: addY + 2 * ADD_RADIUS, shape: addSource.output, status: b.status };
      bottom = addY + 2 * ADD_RADIUS;
    }
    if (b.after.length > 0) {
      const after = column(b.after, cx, bottom + EDGE_GAP, joined, stage);
      joined = after.port;
      bottom = after.bottom;
      right = Math.max(right, after.right);
    }
    box(b, 'block', stage, cx, top, right, bottom);
    return { port: { ...joined, shape: b.output }, bottom: bottom + BLOCK_PAD, right: right + BLOCK_PAD };
  };

  /** A polyline edge through `points` (a split's fan-out and fan-in). */
  const path = (id: string, points: readonly (readonly [number, number])[], from: Port, label?: string) => {
    const ys = points.map((p) => p[1]);
    const [x0 = 0, y0 = 0] = points[0] ?? [];
    edges.push({
      id,
      points,
      label: label ?? formatShape(from.shape),
      labelAt: [x0 + 6, y0 + 14],
      shortcut: false,
      error: false,
      status: from.status,
      minY: Math.min(...ys) - 8,
      maxY: Math.max(...ys) + 8,
    });
  };

  /**
   * A split: one column per group side by side, from the block's main line to the right; each
   * column's first node is fed from the split point (a bend into its lane), a cascade's addition
   * sits atop each column after the first and takes the column before it (a staircase, as the
   * paper's Fig. 2 draws it), and every column ends in the concatenation (‖) on the main line.
   */
  const split = (sp: GraphSplit, cx: number, top: number, port: Port, stage: string): { port: Port; bottom: number; right: number } => {
    const innerTop = top + BLOCK_HEADER + BLOCK_PAD;
    const splitY = top + BLOCK_HEADER;
    const groupShape: Shape = [sp.input[0], sp.input[1], sp.input[2] / sp.groups];
    const groupPort: Port = { ...port, shape: groupShape };
    const paths = sp.keep ? sp.groups - 1 : sp.groups;
    let right = cx + NODE_WIDTH / 2;
    let columnTop = innerTop;
    let previous: Port | undefined;
    // Where each column's edge into the concatenation starts, and its lane.
    const ends: { start: (readonly [number, number])[]; port: Port; x: number }[] = [];
    sp.columns.forEach((items, k) => {
      const x = cx + k * (NODE_WIDTH + COLUMN_GAP);
      let y = sp.cascade ? columnTop : innerTop;
      let from: Port = groupPort;
      const cascaded = sp.cascade && k > 0 && k < paths && previous !== undefined;
      if (cascaded && previous) {
        const id = `${sp.id}.cascade${k}`;
        node('add', x - ADD_RADIUS, y, 2 * ADD_RADIUS, 2 * ADD_RADIUS, {
          id,
          label: 'cascade add',
          input: groupShape,
          output: groupShape,
          op: 'add',
          stage,
          split: sp,
          glyph: '+',
          line: sp.line,
          column: sp.column,
          status: sp.status,
        });
        path(
          `${id}<`,
          [
            [port.x, splitY],
            [x, splitY],
            [x, y],
          ],
          groupPort,
        );
        path(
          `${id}<c`,
          [
            [previous.x, previous.y],
            [previous.x, y + ADD_RADIUS],
            [x - ADD_RADIUS, y + ADD_RADIUS],
          ],
          previous,
        );
        from = { x, y: y + 2 * ADD_RADIUS, shape: groupShape, status: sp.status };
        y += 2 * ADD_RADIUS + EDGE_GAP;
      }
      if (items.length === 0) {
        // A group that passes as it is: from the split point straight to the concatenation.
        ends.push({
          start: cascaded
            ? [[from.x, from.y]]
            : [
                [port.x, splitY],
                [x, splitY],
              ],
          port: from,
          x,
        });
        right = Math.max(right, x + 40);
        if (k < paths) previous = from;
        return;
      }
      if (!cascaded && k > 0) {
        // Into its lane along the split point's row, then down into the column.
        path(
          `${sp.id}.group${k}<`,
          [
            [port.x, splitY],
            [x, splitY],
          ],
          groupPort,
          '',
        );
        from = { x, y: splitY, shape: groupShape, status: sp.status };
      }
      const laid = column(items, x, y, from, stage);
      ends.push({ start: [[laid.port.x, laid.port.y]], port: laid.port, x });
      right = Math.max(right, laid.right);
      previous = laid.port;
      columnTop = laid.bottom + EDGE_GAP;
    });
    const concatY = Math.max(innerTop, ...ends.map((e) => e.start.at(-1)?.[1] ?? innerTop)) + EDGE_GAP;
    const id = `${sp.id}‖`;
    node('add', cx - ADD_RADIUS, concatY, 2 * ADD_RADIUS, 2 * ADD_RADIUS, {
      id,
      label: 'concat',
      input: groupShape,
      output: sp.output,
      op: 'concat',
      stage,
      split: sp,
      glyph: '‖',
      line: sp.line,
      column: sp.column,
      status: sp.status,
      error: sp.error,
    });
    ends.forEach((end, k) => {
      const fanIn: (readonly [number, number])[] =
        k === 0
          ? [[cx, concatY]]
          : [
              [end.x, concatY + ADD_RADIUS],
              [cx + ADD_RADIUS, concatY + ADD_RADIUS],
            ];
      path(`${id}<${k}`, [...end.start, ...fanIn], end.port);
    });
    const bottom = concatY + 2 * ADD_RADIUS;
    box(sp, 'split', stage, cx, top, right, bottom);
    return { port: { x: cx, y: bottom, shape: sp.output, status: sp.status }, bottom: bottom + BLOCK_PAD, right: right + BLOCK_PAD };
  };

  const cx = NODE_WIDTH / 2 + STAGE_PAD;
  node('io', cx - NODE_WIDTH / 2, 0, NODE_WIDTH, NODE_HEIGHT, { id: 'input', label: `input ${formatShape(graph.input)}`, input: graph.input, output: graph.input, op: 'input' });
  let port: Port = { x: cx, y: NODE_HEIGHT, shape: graph.input };
  let y = NODE_HEIGHT + EDGE_GAP;
  for (const stage of graph.stages) {
    const source: NodeSource = { ...stage, label: stage.name, op: 'stage', stage: stage.id, stageNode: stage };
    if (folded.has(stage.id)) {
      node('stage', cx - NODE_WIDTH / 2 - STAGE_PAD, y, NODE_WIDTH + 2 * STAGE_PAD, FOLDED_STAGE_HEIGHT, source);
      edge(`${stage.id}<`, port, [cx, y]);
      port = { x: cx, y: y + FOLDED_STAGE_HEIGHT, shape: stage.output, status: stage.status };
      y += FOLDED_STAGE_HEIGHT + EDGE_GAP;
      continue;
    }
    const top = y;
    const laid = column(stage.items, cx, y + STAGE_HEADER, port, stage.id);
    port = laid.port;
    const bottom = laid.bottom + STAGE_PAD;
    groups.push({ id: stage.id, kind: 'stage', x: 0, y: top, width: Math.max(laid.right, cx + NODE_WIDTH / 2) + STAGE_PAD, height: bottom - top, title: stage.name, source });
    y = bottom + EDGE_GAP;
  }
  node('io', cx - NODE_WIDTH / 2, y, NODE_WIDTH, NODE_HEIGHT, { id: 'output', label: `output ${formatShape(graph.output)}`, input: graph.output, output: graph.output, op: 'output' });
  edge('output<', port, [cx, y]);
  const byId = new Map<string, LaidNode | LaidGroup>();
  for (const g of groups) byId.set(g.id, g);
  for (const n of nodes) byId.set(n.id, n);
  const width = Math.max(maxX, ...groups.map((g) => g.x + g.width)) + STAGE_PAD;
  return { nodes, edges, groups, width, height: y + NODE_HEIGHT + STAGE_PAD, byId };
}

/** How many layers the graph has in all: big models open folded to stages. */
export function graphSize(graph: ArchitectureGraph): number {
  let n = 0;
  const count = (items: readonly GraphItem[]) => {
    for (const i of items) {
      n++;
      if (i.kind === 'split') for (const c of i.columns) count(c);
      if (i.kind === 'block') {
        count(i.branch);
        count(i.shortcutLayers);
        count(i.after);
      }
    }
  };
  for (const s of graph.stages) count(s.items);
  return n;
}
