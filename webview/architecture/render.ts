// Draws a layout as SVG. ResNet-1202 with a stage of 200 blocks unfolded has thousands of nodes,
// and panning must stay fluid even where Chromium composites in software, so the page gives the
// compositor as little as possible: one <svg> the size of the canvas (no layer of its own, no CSS
// transform), the pan and zoom as one transform on one group, and in the DOM only what is in the
// viewport plus a margin (re-culled when the view leaves that window). Below a scale where text
// could not be read, labels are hidden (level of detail): boxes and lines only; while the view
// moves it is drawn a little simpler still (see setView).
// The same builders write the whole graph, at full detail, for export.
import { formatShape } from '../../src/core/analysis/shape';
import type { LaidEdge, LaidGroup, LaidNode, Layout } from './layout';
import { textOn, type Palette } from './colors';

const SVG = 'http://www.w3.org/2000/svg';

export interface NodeLook {
  readonly fill: string;
  readonly stroke: string;
  readonly strokeWidth: number;
}

/** How nodes are coloured: by their share of a figure, or by their change in a diff. */
export type LookFor = (node: LaidNode | LaidGroup) => NodeLook;

export interface View {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

/** Below this scale text is under about 5 px: labels are hidden and only boxes and lines drawn. */
export const LABELS_FROM_SCALE = 0.5;

/** A pan or zoom that pauses this long is over: the view is drawn in full again. */
const MOTION_PAUSE_MS = 150;

interface Drawn {
  readonly key: string;
  readonly minX: number;
  readonly maxX: number;
  readonly minY: number;
  readonly maxY: number;
  readonly layer: 'groups' | 'edges' | 'nodes';
  readonly build: () => SVGElement;
}

export class GraphRenderer {
  private readonly viewport: SVGGElement;
  private readonly layers: Record<Drawn['layer'], SVGGElement>;
  private items: Drawn[] = [];
  private readonly elements = new Map<string, SVGElement>();
  /** The part of the layout (layout units) whose items are in the DOM now. */
  private window = EMPTY_WINDOW;
  private viewSize = { width: 0, height: 0 };
  private coarse = false;
  private lastView: View | undefined;
  private motionEnds: ReturnType<typeof setTimeout> | undefined;
  private selected: string | undefined;
  layout: Layout | undefined;

  constructor(
    readonly svg: SVGSVGElement,
    private palette: Palette,
    private look: LookFor,
  ) {
    this.viewport = element('g', { class: 'viewport' });
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', '100%');
    this.layers = { groups: element('g', { class: 'groups' }), edges: element('g', { class: 'edges' }), nodes: element('g', { class: 'nodes' }) };
    this.viewport.append(this.layers.groups, this.layers.edges, this.layers.nodes);
    svg.append(this.viewport);
  }

  /** A new layout (or new colours): everything is rebuilt when next drawn. */
  setLayout(layout: Layout, palette: Palette, look: LookFor): void {
    this.layout = layout;
    this.palette = palette;
    this.look = look;
    this.items = drawables(
      layout,
      () => this.palette,
      (n) => this.look(n),
    );
    for (const el of this.elements.values()) el.remove();
    this.elements.clear();
    this.window = EMPTY_WINDOW;
  }

  /**
   * Moves the picture: one transform on the group that holds everything. The elements are culled
   * again only when the view leaves the window drawn (the viewport and half a screen around it).
   */
  setView(view: View, viewport: { readonly width: number; readonly height: number }): void {
    const visible = visibleRect(view, viewport);
    const w = this.window;
    const resized = viewport.width !== this.viewSize.width || viewport.height !== this.viewSize.height;
    if (resized || visible.left < w.left || visible.right > w.right || visible.top < w.top || visible.bottom > w.bottom) {
      const mx = (visible.right - visible.left) / 2;
      const my = (visible.bottom - visible.top) / 2;
      this.window = { left: visible.left - mx, right: visible.right + mx, top: visible.top - my, bottom: visible.bottom + my };
      this.viewSize = { width: viewport.width, height: viewport.height };
      this.sync();
    }
    const coarse = view.scale < LABELS_FROM_SCALE;
    if (coarse !== this.coarse) {
      this.coarse = coarse;
      this.viewport.classList.toggle('coarse', coarse);
    }
    // While the view moves, dashed outlines are drawn solid (a software rasteriser strokes each
    // dash on its own); while it zooms, labels are hidden too, since Chromium lays every SVG text
    // out again at each new scale. Both come back once the motion pauses.
    const last = this.lastView;
    if (last && (view.x !== last.x || view.y !== last.y || view.scale !== last.scale)) {
      this.motion(view.scale !== last.scale);
    }
    this.lastView = view;
    this.viewport.setAttribute('transform', `translate(${round(view.x)} ${round(view.y)}) scale(${round(view.scale, 10_000)})`);
  }

  private motion(zooming: boolean): void {
    const classes = this.viewport.classList;
    if (!classes.contains('moving')) classes.add('moving');
    if (zooming && !classes.contains('zooming')) classes.add('zooming');
    clearTimeout(this.motionEnds);
    this.motionEnds = setTimeout(() => {
      this.motionEnds = undefined;
      classes.remove('moving', 'zooming');
    }, MOTION_PAUSE_MS);
  }

  private sync(): void {
    const w = this.window;
    const keep = new Set<string>();
    for (const item of this.items) {
      if (item.maxY < w.top || item.minY > w.bottom || item.maxX < w.left || item.minX > w.right) continue;
      keep.add(item.key);
      if (!this.elements.has(item.key)) {
        const el = item.build();
        if (item.key === this.selected) el.classList.add('selected');
        this.elements.set(item.key, el);
        this.layers[item.layer].append(el);
      }
    }
    for (const [key, el] of this.elements) {
      if (!keep.has(key)) {
        el.remove();
        this.elements.delete(key);
      }
    }
  }

  select(id: string | undefined): void {
    if (this.selected !== undefined) this.elements.get(this.selected)?.classList.remove('selected');
    this.selected = id;
    if (id !== undefined) this.elements.get(id)?.classList.add('selected');
  }

  /** How many elements are in the DOM now (tests and the benchmark). */
  get drawnCount(): number {
    return this.elements.size;
  }

  /** The whole graph as a standalone SVG document, in the theme's colours. */
  exportSvg(title: string): string {
    const layout = this.layout;
    if (!layout) return '';
    const pad = 16;
    const titleHeight = 28;
    const doc = element('svg', {
      xmlns: SVG,
      width: String(Math.ceil(layout.width + 2 * pad)),
      height: String(Math.ceil(layout.height + 2 * pad + titleHeight)),
      viewBox: `0 0 ${Math.ceil(layout.width + 2 * pad)} ${Math.ceil(layout.height + 2 * pad + titleHeight)}`,
      'font-family': this.palette.font,
      'font-size': '11',
    });
    doc.append(element('rect', { x: '0', y: '0', width: '100%', height: '100%', fill: this.palette.background }));
    const heading = element('text', { x: String(pad), y: String(pad + 12), fill: this.palette.foreground, 'font-size': '14', 'font-weight': '600' });
    heading.textContent = title;
    doc.append(heading);
    const body = element('g', { transform: `translate(${pad} ${pad + titleHeight})` });
    for (const layer of ['groups', 'edges', 'nodes'] as const) {
      const g = element('g', {});
      for (const item of this.items) if (item.layer === layer) g.append(item.build());
      body.append(g);
    }
    doc.append(body);
    return new XMLSerializer().serializeToString(doc);
  }
}

function drawables(layout: Layout, palette: () => Palette, look: LookFor): Drawn[] {
  const out: Drawn[] = [];
  for (const g of layout.groups) out.push({ key: g.id, ...boxExtent(g), layer: 'groups', build: () => groupElement(g, palette(), look(g)) });
  for (const e of layout.edges) out.push({ key: `edge:${e.id}`, ...edgeExtent(e), layer: 'edges', build: () => edgeElement(e, palette()) });
  // An addition's error message runs to its right, beyond its box.
  for (const n of layout.nodes) out.push({ key: n.id, ...boxExtent(n, n.source.error ? 480 : 0), layer: 'nodes', build: () => nodeElement(n, palette(), look(n)) });
  return out;
}

interface Rect {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}
const EMPTY_WINDOW: Rect = { left: 0, right: -1, top: 0, bottom: -1 };

/** The part of the layout on screen, in layout units. */
export function visibleRect(view: View, viewport: { readonly width: number; readonly height: number }): Rect {
  return { left: -view.x / view.scale, right: (viewport.width - view.x) / view.scale, top: -view.y / view.scale, bottom: (viewport.height - view.y) / view.scale };
}

function boxExtent(b: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }, extraRight = 0) {
  return { minX: b.x, maxX: b.x + b.width + extraRight, minY: b.y, maxY: b.y + b.height };
}

/** An edge's points and its label, which sits beside them (up to a shape's width of text). */
function edgeExtent(e: LaidEdge) {
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const [x] of [...e.points, ...(e.labelAt ? [e.labelAt] : [])]) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
  }
  const labelRoom = e.label ? 8 * e.label.length : 8;
  return { minX: minX - labelRoom, maxX: maxX + labelRoom, minY: e.minY, maxY: e.maxY };
}

/** Rounded for the transform attribute: fewer digits to parse, the same pixels. */
function round(value: number, per = 100): number {
  return Math.round(value * per) / per;
}

function nodeElement(n: LaidNode, palette: Palette, look: NodeLook): SVGElement {
  const g = element('g', { class: `node node-${n.kind}`, 'data-id': n.id, transform: `translate(${n.x} ${n.y})` });
  const error = n.source.error !== undefined;
  const stroke = error ? palette.error : look.stroke;
  const strokeWidth = String(error ? 2 : look.strokeWidth);
  if (n.kind === 'add') {
    const r = n.width / 2;
    g.append(element('circle', { cx: String(r), cy: String(r), r: String(r), fill: error ? palette.error : look.fill, stroke, 'stroke-width': strokeWidth }));
    g.append(
      text(n.source.glyph ?? (n.source.block?.shortcut === 'gate' ? '×' : '+'), r, r + 4, {
        fill: error ? textOn(palette.error, palette) : textOn(look.fill, palette),
        'text-anchor': 'middle',
        'font-size': '14',
        'font-weight': '600',
      }),
    );
    if (error) {
      const [message = ''] = n.source.error!.split('\n');
      g.append(text(`⚠ ${message.length > 70 ? `${message.slice(0, 69)}…` : message}`, n.width + 8, r + 4, { fill: palette.error, 'font-size': '11', class: 'error-text' }));
    }
    return g;
  }
  g.append(element('rect', { width: String(n.width), height: String(n.height), rx: n.kind === 'io' ? '13' : '4', fill: look.fill, stroke, 'stroke-width': strokeWidth }));
  const ink = textOn(look.fill, palette);
  if (n.kind === 'stage') {
    const stage = n.source.stageNode!;
    const blocks = stage.items.filter((i) => i.kind === 'block').length;
    g.append(text(`▸ ${stage.name}`, 10, 17, { fill: ink, 'font-weight': '600', 'data-toggle': stage.id, class: 'toggle' }));
    const what = blocks > 0 ? `${blocks} ${blocks === 1 ? 'block' : 'blocks'}` : `${stage.items.length} layers`;
    g.append(text(`${what} · ${formatShape(stage.input)} → ${formatShape(stage.output)}`, 10, 34, { fill: ink, 'font-size': '10.5' }));
  } else {
    g.append(text(n.source.label, n.width / 2, 17, { fill: ink, 'text-anchor': 'middle' }));
  }
  if (error) g.append(text('⚠', n.width - 14, 17, { fill: palette.error, 'font-weight': '700' }));
  return g;
}

function groupElement(group: LaidGroup, palette: Palette, look: NodeLook): SVGElement {
  const g = element('g', { class: `group group-${group.kind}`, 'data-id': group.id, transform: `translate(${group.x} ${group.y})` });
  const status = group.source.status !== undefined || group.source.error !== undefined;
  g.append(
    element('rect', {
      width: String(group.width),
      height: String(group.height),
      rx: '6',
      fill: group.kind === 'stage' ? 'none' : 'none',
      stroke: group.source.error !== undefined ? palette.error : status ? look.stroke : palette.nodeBorder,
      'stroke-width': status ? '1.5' : '1',
      'stroke-dasharray': group.kind === 'block' ? '4 3' : '',
    }),
  );
  // Titles sit at the top right: the shape labels of the edges entering a box are on the left.
  if (group.kind === 'stage') {
    g.append(text(`▾ ${group.title}`, group.width - 8, 16, { fill: palette.foreground, 'font-weight': '600', 'data-toggle': group.id, class: 'toggle', 'text-anchor': 'end' }));
  } else {
    g.append(text(group.title, group.width - 6, 12, { fill: palette.muted, 'font-size': '10', 'text-anchor': 'end' }));
  }
  return g;
}

function edgeElement(e: LaidEdge, palette: Palette): SVGElement {
  const g = element('g', { class: e.shortcut ? 'edge shortcut' : 'edge' });
  const color = e.error ? palette.error : e.status === 'removed' ? palette.removed : e.status === 'added' ? palette.added : e.shortcut ? palette.shortcut : palette.edge;
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p[0]} ${p[1]}`).join(' ');
  g.append(element('path', { d, fill: 'none', stroke: color, 'stroke-width': e.shortcut ? '1.5' : '1.2', 'stroke-dasharray': e.status === 'removed' ? '5 3' : '', 'marker-end': '' }));
  const last = e.points.at(-1);
  const prev = e.points.at(-2);
  // A small arrowhead, drawn as a path (markers would need ids in a shared <defs>); an edge of one point has no direction.
  if (last && prev) {
    const angle = Math.atan2(last[1] - prev[1], last[0] - prev[0]);
    const head = (a: number) => `${last[0] - 6 * Math.cos(angle + a)} ${last[1] - 6 * Math.sin(angle + a)}`;
    g.append(element('path', { d: `M${head(0.45)} L${last[0]} ${last[1]} L${head(-0.45)}`, fill: 'none', stroke: color, 'stroke-width': '1.2', class: 'arrow' }));
  }
  if (e.label && e.labelAt) {
    const anchor = e.shortcut ? 'start' : 'end';
    g.append(text(e.label, e.labelAt[0], e.labelAt[1] + 3, { fill: e.shortcut ? color : palette.muted, 'font-size': '10', 'text-anchor': anchor }));
  }
  return g;
}

function element<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== '') el.setAttribute(name, value);
  return el;
}

/** Text as a text node: names from the file are never parsed as markup. */
function text(content: string, x: number, y: number, attributes: Record<string, string>): SVGTextElement {
  const t = element('text', { x: String(x), y: String(y), ...attributes });
  t.textContent = content;
  return t;
}
