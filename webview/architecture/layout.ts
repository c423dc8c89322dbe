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
// Every box is made as wide as the text drawn in it, measured in the font it is drawn in (the page
// measures with the browser, tests under Node with an estimate), so no label leaves its box, in
// any language.
import type { ArchitectureGraph, GraphBlock, GraphChangeStatus, GraphCost, GraphItem, GraphSplit, GraphStage } from '../../src/core/report/architectureGraph';
import { formatShape, type Shape } from '../../src/core/analysis/shape';

/** The narrowest a node is drawn: wider only for a longer label. */
export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 26;
/** Room between a node's label and its sides. */
const NODE_TEXT_PAD = 10;
/** Room for the ⚠ at the right of a node with an error. */
const ERROR_MARK = 18;
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
/** Under an addition that fails, a row for its message. */
const ERROR_ROW = 18;
/** An error message drawn in the graph is cut here (the tooltip has all of it). */
const ERROR_CHARS = 70;

/** How each kind of text in the graph is drawn (size in layout units): render.ts draws with it, the layout measures with it. */
export const TEXT = {
  /** A layer's or the input's label: the editor's 13 px. */
  label: { size: 13, weight: 400 },
  /** A stage's name, folded or unfolded. */
  stage: { size: 13, weight: 600 },
  /** A folded stage's second line. */
  detail: { size: 10.5, weight: 400 },
  /** An edge's shape, a shortcut's kind, a block's title. */
  small: { size: 10, weight: 400 },
  error: { size: 11, weight: 400 },
  /** The addition's + or ×. */
  join: { size: 14, weight: 600 },
  /** The exported picture's title. */
  heading: { size: 14, weight: 600 },
} as const;
export type TextStyle = keyof typeof TEXT;
/** The width of a text drawn in a style, in layout units. */
export type MeasureText = (text: string, style: TextStyle) => number;

/**
 * Without a browser (the layout's tests under Node): an estimate on the wide side, a Latin letter
 * at 0.62 em and a Hangul or other wide character at 1 em.
 */
export const estimateText: MeasureText = (text, style) => {
  let ems = 0;
  for (const ch of text) ems += (ch.codePointAt(0) ?? 0) >= 0x1100 ? 1 : 0.62;
  const { size, weight } = TEXT[style];
  return ems * size * (weight >= 600 ? 1.08 : 1);
};

/** The words the layout writes itself, in the page's language. */
export interface LayoutWords {
  /** A folded stage's count: `6 blocks`, `4 layers`. */
  readonly blocks: (count: number) => string;
  readonly layers: (count: number) => string;
  /** The label of a shortcut that cannot be added. */
  readonly cannotAdd: string;
}

export interface LayoutText {
  readonly measure: MeasureText;
  readonly words: LayoutWords;
}

/** A stage's title as drawn: ▸ folded, ▾ unfolded (the toggle). */
export function stageTitle(name: string, folded: boolean): string {
  return `${folded ? '▸' : '▾'} ${name}`;
}

/** An error's first line as the graph shows it beside its node. */
export function errorLabel(error: string): string {
  const [message = ''] = error.split('\n');
  return `⚠ ${message.length > ERROR_CHARS ? `${message.slice(0, ERROR_CHARS - 1)}…` : message}`;
}

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
  /** What is written in it: a layer's label; a folded stage's title. */
  readonly text: string;
  /** A folded stage's second line: its count and shapes. */
  readonly detail?: string | undefined;
  /** An addition that fails: its message, drawn under it to the right of the line, and how wide it is. */
  readonly error?: { readonly text: string; readonly width: number } | undefined;
  readonly source: NodeSource;
}

export interface LaidEdge {
  readonly id: string;
  readonly points: readonly (readonly [number, number])[];
  readonly label?: string | undefined;
  readonly labelAt?: readonly [number, number] | undefined;
  /** Which end of the label is at `labelAt`: `end` left of a line, `start` right of it. */
  readonly labelAnchor: 'start' | 'end';
  readonly labelWidth: number;
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
  /** As drawn: a stage's with its toggle. */
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
export function layoutGraph(graph: ArchitectureGraph, folded: ReadonlySet<string>, text: LayoutText): Layout {
  const { measure, words } = text;
  const nodes: LaidNode[] = [];
  const edges: LaidEdge[] = [];
  const groups: LaidGroup[] = [];
  let maxX = NODE_WIDTH;
  /** Room left of a column's line for an edge's shape, inside the innermost box around it (a block's). */
  const leftRoom = NODE_WIDTH / 2 + BLOCK_PAD - 6 - 2;

  /**
   * An edge from a port down to a point; returns where its label ends on the right. A shortcut
   * (`via` a lane) first runs down the main line to `splitY` (inside its block, under the block's
   * title), across to the lane, down, and in. `label: null`: none.
   */
  const edge = (
    id: string,
    from: Port,
    to: readonly [number, number],
    options: { shortcut?: boolean; label?: string | null; via?: number; splitY?: number; status?: GraphChangeStatus | undefined; error?: boolean } = {},
  ): number => {
    const label = options.label === null ? undefined : (options.label ?? formatShape(from.shape));
    const labelWidth = label === undefined ? 0 : measure(label, 'small');
    let points: (readonly [number, number])[];
    let labelAt: [number, number];
    let labelAnchor: 'start' | 'end' = 'start';
    if (options.via === undefined) {
      points = [[from.x, from.y], to];
      // Near the end it points into (a stage's or block's title sits near the start), left of the
      // line; right of it when the shape is too wide for the room there.
      if (labelWidth <= leftRoom) {
        labelAt = [from.x - 6, to[1] - 7];
        labelAnchor = 'end';
      } else labelAt = [from.x + 6, to[1] - 7];
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
    const ys = points.map((p) => p[1]);
    edges.push({
      id,
      points,
      label,
      labelAt,
      labelAnchor,
      labelWidth,
      shortcut: options.shortcut ?? false,
      error: options.error ?? false,
      status: options.status ?? from.status,
      minY: Math.min(...ys) - 8,
      maxY: Math.max(...ys) + 8,
    });
    const labelRight = labelAnchor === 'start' ? labelAt[0] + labelWidth : labelAt[0];
    maxX = Math.max(maxX, labelRight);
    return labelRight;
  };
  const node = (kind: NodeKind, x: number, y: number, width: number, height: number, source: NodeSource, drawn: Pick<LaidNode, 'text' | 'detail' | 'error'>) => {
    nodes.push({ id: source.id, kind, x, y, width, height, ...drawn, source });
    maxX = Math.max(maxX, x + width, drawn.error ? x + width / 2 + 8 + drawn.error.width : 0);
  };
  /** A node's width for its label: at least NODE_WIDTH, wider to the right (its line stays where it is). */
  const widthFor = (label: string, error: boolean) => Math.max(NODE_WIDTH, Math.ceil(measure(label, 'label') + 2 * NODE_TEXT_PAD + (error ? 2 * ERROR_MARK : 0)));

  /** The dashed box around a block or a split, titled with its path and what it is. */
  const box = (item: GraphBlock | GraphSplit, op: 'block' | 'split', stage: string, cx: number, top: number, contentRight: number, bottom: number): number => {
    // The title sits at the top right, right of the main line that enters the box there.
    const title = `${item.id} · ${item.label}`;
    const right = Math.max(contentRight, cx + 6 + measure(title, 'small') + 6 - BLOCK_PAD);
    const left = cx - NODE_WIDTH / 2 - BLOCK_PAD;
    groups.push({
      id: item.id,
      kind: 'block',
      x: left,
      y: top,
      width: right + BLOCK_PAD - left,
      height: bottom + BLOCK_PAD - top,
      title,
      source: { ...item, op, stage },
    });
    return right;
  };

  // A column of items at centre x, starting below `port`; returns the port of the last one.
  /** `sideways`: the first edge leaves the port with a bend into this lane (a projection shortcut). */
  const column = (items: readonly GraphItem[], cx: number, top: number, port: Port, stage: string, sideways?: { via: number; splitY: number }): { port: Port; bottom: number; right: number } => {
    let y = top;
    let right = cx + NODE_WIDTH / 2;
    for (const [index, item] of items.entries()) {
      if (item.kind === 'layer') {
        const width = widthFor(item.label, item.error !== undefined);
        node('layer', cx - NODE_WIDTH / 2, y, width, NODE_HEIGHT, { ...item, op: item.op, stage }, { text: item.label });
        right = Math.max(right, cx - NODE_WIDTH / 2 + width);
        // The bend into a projection's lane carries no shape: the main line beside it says it.
        if (index === 0 && sideways !== undefined) edge(`${item.id}<`, port, [cx, y], { shortcut: true, label: null, ...sideways });
        else right = Math.max(right, edge(`${item.id}<`, port, [cx, y]));
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
      // A failed addition's message runs under it, right of the line, where nothing else is drawn.
      const message = b.error === undefined ? undefined : errorLabel(b.error);
      const error = message === undefined ? undefined : { text: message, width: measure(message, 'error') };
      node('add', cx - ADD_RADIUS, addY, 2 * ADD_RADIUS, 2 * ADD_RADIUS, addSource, { text: b.shortcut === 'gate' ? '×' : '+', error });
      if (error) right = Math.max(right, cx + 8 + error.width);
      right = Math.max(right, edge(`${b.id}+<`, branch.port, [cx, addY]));
      if (b.shortcutLayers.length > 0) right = Math.max(right, edge(`${b.id}+<s`, shortcutPort, [cx + ADD_RADIUS, addY + ADD_RADIUS], { shortcut: true, via: laneX }) + 4);
      else {
        const label = failed ? `${words.cannotAdd} · ${formatShape(split.shape)}` : `${b.shortcutLabel} · ${formatShape(split.shape)}`;
        right = Math.max(right, edge(`${b.id}+<s`, split, [cx + ADD_RADIUS, addY + ADD_RADIUS], { shortcut: true, via: laneX, splitY, label, status: b.status, error: failed }) + 4);
      }
      joined = { x: cx, y: addY + 2 * ADD_RADIUS, shape: addSource.output, status: b.status };
      bottom = addY + 2 * ADD_RADIUS + (error && b.after.length === 0 ? ERROR_ROW : 0);
    }
    if (b.after.length > 0) {
      const after = column(b.after, cx, bottom + EDGE_GAP, joined, stage);
      joined = after.port;
      bottom = after.bottom;
      right = Math.max(right, after.right);
    }
    right = box(b, 'block', stage, cx, top, right, bottom);
    return { port: { ...joined, shape: b.output }, bottom: bottom + BLOCK_PAD, right: right + BLOCK_PAD };
  };

  /** A polyline edge through `points` (a split's fan-out and fan-in). */
  const path = (id: string, points: readonly (readonly [number, number])[], from: Port, label?: string) => {
    const ys = points.map((p) => p[1]);
    const [x0 = 0, y0 = 0] = points[0] ?? [];
    const text = label ?? formatShape(from.shape);
    const labelWidth = measure(text, 'small');
    maxX = Math.max(maxX, x0 + 6 + labelWidth);
    edges.push({
      id,
      points,
      label: text,
      labelAt: [x0 + 6, y0 + 14],
      labelAnchor: 'start',
      labelWidth,
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
    // Each column right of the one before, which is as wide as its widest label.
    let nextX = cx;
    sp.columns.forEach((items, k) => {
      const x = nextX;
      nextX = x + NODE_WIDTH + COLUMN_GAP;
      let y = sp.cascade ? columnTop : innerTop;
      let from: Port = groupPort;
      const cascaded = sp.cascade && k > 0 && k < paths && previous !== undefined;
      if (cascaded && previous) {
        const id = `${sp.id}.cascade${k}`;
        node(
          'add',
          x - ADD_RADIUS,
          y,
          2 * ADD_RADIUS,
          2 * ADD_RADIUS,
          {
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
          },
          { text: '+' },
        );
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
      nextX = Math.max(nextX, laid.right + COLUMN_GAP + NODE_WIDTH / 2);
      previous = laid.port;
      columnTop = laid.bottom + EDGE_GAP;
    });
    const concatY = Math.max(innerTop, ...ends.map((e) => e.start.at(-1)?.[1] ?? innerTop)) + EDGE_GAP;
    const id = `${sp.id}‖`;
    const message = sp.error === undefined ? undefined : errorLabel(sp.error);
    const concatError = message === undefined ? undefined : { text: message, width: measure(message, 'error') };
    if (concatError) right = Math.max(right, cx + 8 + concatError.width);
    node(
      'add',
      cx - ADD_RADIUS,
      concatY,
      2 * ADD_RADIUS,
      2 * ADD_RADIUS,
      {
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
      },
      { text: '‖', error: concatError },
    );
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
    right = box(sp, 'split', stage, cx, top, right, bottom);
    return { port: { x: cx, y: bottom, shape: sp.output, status: sp.status }, bottom: bottom + BLOCK_PAD, right: right + BLOCK_PAD };
  };

  const cx = NODE_WIDTH / 2 + STAGE_PAD;
  const io = (id: 'input' | 'output', y: number, shape: Shape) => {
    const label = `${id} ${formatShape(shape)}`;
    node('io', cx - NODE_WIDTH / 2, y, widthFor(label, false), NODE_HEIGHT, { id, label, input: shape, output: shape, op: id }, { text: label });
  };
  io('input', 0, graph.input);
  let port: Port = { x: cx, y: NODE_HEIGHT, shape: graph.input };
  let y = NODE_HEIGHT + EDGE_GAP;
  for (const stage of graph.stages) {
    const source: NodeSource = { ...stage, label: stage.name, op: 'stage', stage: stage.id, stageNode: stage };
    if (folded.has(stage.id)) {
      const blocks = stage.items.filter((i) => i.kind === 'block').length;
      const title = stageTitle(stage.name, true);
      const detail = `${blocks > 0 ? words.blocks(blocks) : words.layers(stage.items.length)} · ${formatShape(stage.input)} → ${formatShape(stage.output)}`;
      const textWidth = Math.max(measure(title, 'stage') + (stage.error === undefined ? 0 : ERROR_MARK), measure(detail, 'detail'));
      const width = Math.max(NODE_WIDTH + 2 * STAGE_PAD, Math.ceil(textWidth + 2 * NODE_TEXT_PAD));
      node('stage', cx - NODE_WIDTH / 2 - STAGE_PAD, y, width, FOLDED_STAGE_HEIGHT, source, { text: title, detail });
      edge(`${stage.id}<`, port, [cx, y]);
      port = { x: cx, y: y + FOLDED_STAGE_HEIGHT, shape: stage.output, status: stage.status };
      y += FOLDED_STAGE_HEIGHT + EDGE_GAP;
      continue;
    }
    const top = y;
    const laid = column(stage.items, cx, y + STAGE_HEADER, port, stage.id);
    port = laid.port;
    const bottom = laid.bottom + STAGE_PAD;
    // The title sits at the top right, right of the line that enters the stage.
    const title = stageTitle(stage.name, false);
    const width = Math.max(laid.right + STAGE_PAD, cx + NODE_WIDTH / 2 + STAGE_PAD, cx + 6 + measure(title, 'stage') + 8);
    groups.push({ id: stage.id, kind: 'stage', x: 0, y: top, width, height: bottom - top, title, source });
    y = bottom + EDGE_GAP;
  }
  io('output', y, graph.output);
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
