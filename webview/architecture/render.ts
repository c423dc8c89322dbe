// Draws a layout as SVG. Only what is near the viewport is in the DOM: ResNet-1202 with a stage of
// 200 blocks unfolded has thousands of nodes, and panning must stay at 60 frames a second. The
// graph is cut into horizontal bands, each its own <svg> (a layer of its own for the compositor):
// a pan or a zoom moves the bands by CSS transforms without painting them again, and as the view
// moves on only the bands coming into view are built and painted, not the whole window.
// The same builders write the whole graph for export.
import { formatShape } from '../../src/core/analysis/shape';
import type { LaidEdge, LaidGroup, LaidNode, Layout } from './layout';
import { textOn, type Palette } from './colors';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The height of a band, in layout units: small enough that one coming into view is cheap to paint
 * (a 200-block stage is some 30,000 units tall), large enough that a screen holds a handful.
 */
const BAND_HEIGHT = 256;

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

interface Drawn {
  readonly key: string;
  readonly minY: number;
  readonly maxY: number;
  readonly layer: 'groups' | 'edges' | 'nodes';
  readonly build: () => SVGElement;
}

/** Items drawn together in one <svg>: those starting in one band, or one item taller than a band. */
interface Band {
  readonly key: string;
  readonly top: number;
  bottom: number;
  readonly items: Drawn[];
}

interface DrawnBand {
  readonly svg: SVGSVGElement;
  readonly top: number;
  readonly band: Band;
}

export class GraphRenderer {
  private items: Drawn[] = [];
  private bands: Band[] = [];
  private readonly drawnBands = new Map<string, DrawnBand>();
  private readonly elements = new Map<string, SVGElement>();
  private selected: string | undefined;
  layout: Layout | undefined;

  constructor(
    /** Holds the bands' <svg> elements. */
    readonly container: HTMLElement,
    private palette: Palette,
    private look: LookFor,
  ) {}

  /** A new layout (or new colours): everything is rebuilt when next drawn. */
  setLayout(layout: Layout, palette: Palette, look: LookFor): void {
    this.layout = layout;
    this.palette = palette;
    this.look = look;
    this.items = drawables(layout, () => this.palette, (n) => this.look(n));
    this.bands = bandsOf(this.items);
    for (const band of this.drawnBands.values()) band.svg.remove();
    this.drawnBands.clear();
    this.elements.clear();
  }

  /**
   * Moves the picture: every band drawn is moved by a CSS transform, which the compositor applies
   * to its pixels without painting the graph again. Bands within half a screen of the view are
   * built as they come near; those over a screen away are dropped.
   */
  setView(view: View, viewportHeight: number): void {
    const top = -view.y / view.scale;
    const bottom = top + viewportHeight / view.scale;
    const screen = bottom - top;
    for (const [key, drawn] of this.drawnBands) {
      const band = drawn.band;
      if (band.bottom < top - screen || band.top > bottom + screen) {
        drawn.svg.remove();
        this.drawnBands.delete(key);
        for (const item of band.items) this.elements.delete(item.key);
      }
    }
    for (const band of this.bands) {
      if (band.bottom < top - screen / 2 || band.top > bottom + screen / 2 || this.drawnBands.has(band.key)) continue;
      this.drawnBands.set(band.key, { svg: this.drawBand(band), top: band.top, band });
    }
    for (const drawn of this.drawnBands.values()) drawn.svg.style.transform = `translate(${view.x}px, ${view.y + drawn.top * view.scale}px) scale(${view.scale})`;
  }

  private drawBand(band: Band): SVGSVGElement {
    const width = Math.ceil(this.layout?.width ?? 1);
    const height = Math.max(1, Math.ceil(band.bottom - band.top));
    const svg = element('svg', { viewBox: `0 ${band.top} ${width} ${height}`, width: String(width), height: String(height), 'data-band': band.key });
    const layers = { groups: element('g', { class: 'groups' }), edges: element('g', { class: 'edges' }), nodes: element('g', { class: 'nodes' }) };
    svg.append(layers.groups, layers.edges, layers.nodes);
    for (const item of band.items) {
      const el = item.build();
      if (item.key === this.selected) el.classList.add('selected');
      this.elements.set(item.key, el);
      layers[item.layer].append(el);
    }
    // In the order of the page, whatever the order they were built in: a band's edges end under
    // the next band's nodes.
    let next: SVGSVGElement | null = null;
    for (const drawn of this.drawnBands.values()) {
      if (drawn.top > band.top && (!next || drawn.top < Number(next.dataset.top))) next = drawn.svg;
    }
    svg.dataset.top = String(band.top);
    this.container.insertBefore(svg, next);
    return svg;
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

  /** How many bands are drawn now (tests and the benchmark). */
  get bandCount(): number {
    return this.drawnBands.size;
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

/**
 * Items in bands by where they start; an item taller than a band (a stage's box around 200 blocks)
 * gets one of its own, so that it is drawn wherever the view is along it.
 */
function bandsOf(items: readonly Drawn[]): Band[] {
  const byIndex = new Map<number, Band>();
  const out: Band[] = [];
  for (const item of items) {
    if (item.maxY - item.minY > BAND_HEIGHT) {
      out.push({ key: `item:${item.key}`, top: item.minY, bottom: item.maxY, items: [item] });
      continue;
    }
    const index = Math.floor(item.minY / BAND_HEIGHT);
    let band = byIndex.get(index);
    if (!band) byIndex.set(index, (band = { key: `band:${index}`, top: index * BAND_HEIGHT, bottom: (index + 1) * BAND_HEIGHT, items: [] }));
    band.items.push(item);
    band.bottom = Math.max(band.bottom, item.maxY);
  }
  // In the order of the page, so that later bands are appended above earlier ones.
  return [...byIndex.values(), ...out].sort((a, b) => a.top - b.top);
}

function drawables(layout: Layout, palette: () => Palette, look: LookFor): Drawn[] {
  const out: Drawn[] = [];
  for (const g of layout.groups) out.push({ key: g.id, minY: g.y, maxY: g.y + g.height, layer: 'groups', build: () => groupElement(g, palette(), look(g)) });
  for (const e of layout.edges) out.push({ key: `edge:${e.id}`, minY: e.minY, maxY: e.maxY, layer: 'edges', build: () => edgeElement(e, palette()) });
  for (const n of layout.nodes) out.push({ key: n.id, minY: n.y, maxY: n.y + n.height, layer: 'nodes', build: () => nodeElement(n, palette(), look(n)) });
  return out;
}

function nodeElement(n: LaidNode, palette: Palette, look: NodeLook): SVGElement {
  const g = element('g', { class: `node node-${n.kind}`, 'data-id': n.id, transform: `translate(${n.x} ${n.y})` });
  const error = n.source.error !== undefined;
  const stroke = error ? palette.error : look.stroke;
  const strokeWidth = String(error ? 2 : look.strokeWidth);
  if (n.kind === 'add') {
    const r = n.width / 2;
    g.append(element('circle', { cx: String(r), cy: String(r), r: String(r), fill: error ? palette.error : look.fill, stroke, 'stroke-width': strokeWidth }));
    g.append(text('+', r, r + 4, { fill: error ? textOn(palette.error, palette) : textOn(look.fill, palette), 'text-anchor': 'middle', 'font-size': '14', 'font-weight': '600' }));
    if (error) {
      const message = n.source.error!.split('\n')[0];
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
  const last = e.points[e.points.length - 1];
  const prev = e.points[e.points.length - 2];
  // A small arrowhead, drawn as a path (markers would need ids in a shared <defs>).
  const angle = Math.atan2(last[1] - prev[1], last[0] - prev[0]);
  const head = (a: number) => `${last[0] - 6 * Math.cos(angle + a)} ${last[1] - 6 * Math.sin(angle + a)}`;
  g.append(element('path', { d: `M${head(0.45)} L${last[0]} ${last[1]} L${head(-0.45)}`, fill: 'none', stroke: color, 'stroke-width': '1.2' }));
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
