// Draws a layout as SVG. Only what is near the viewport is in the DOM: ResNet-1202 with a stage of
// 200 blocks unfolded has thousands of nodes, and panning must stay at 60 frames a second, so a
// pan moves one transform and the elements are synced only when the view leaves the drawn window.
// The same builders write the whole graph for export.
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

interface Drawn {
  readonly key: string;
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
  private windowTop = 0;
  private windowBottom = -1;
  private selected: string | undefined;
  layout: Layout | undefined;

  constructor(
    readonly svg: SVGSVGElement,
    private palette: Palette,
    private look: LookFor,
  ) {
    this.viewport = element('g', { class: 'viewport' });
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
    this.windowTop = 0;
    this.windowBottom = -1;
  }

  /**
   * Moves the picture. The SVG covers only the window drawn (a screen above and below the view)
   * and is moved by a CSS transform, which the compositor applies to its pixels without painting
   * the graph again; the elements are synced, and the SVG resized, only when the view leaves it.
   */
  setView(view: View, viewportHeight: number): void {
    const top = -view.y / view.scale;
    const bottom = top + viewportHeight / view.scale;
    if (top < this.windowTop || bottom > this.windowBottom) {
      const margin = (bottom - top) / 2;
      this.windowTop = Math.floor(top - margin);
      this.windowBottom = Math.ceil(bottom + margin);
      const width = Math.ceil(this.layout?.width ?? 1);
      const height = this.windowBottom - this.windowTop;
      this.svg.setAttribute('viewBox', `0 ${this.windowTop} ${width} ${height}`);
      this.svg.setAttribute('width', String(width));
      this.svg.setAttribute('height', String(height));
      this.sync();
    }
    this.svg.style.transform = `translate(${view.x}px, ${view.y + this.windowTop * view.scale}px) scale(${view.scale})`;
  }

  private sync(): void {
    const keep = new Set<string>();
    for (const item of this.items) {
      if (item.maxY < this.windowTop || item.minY > this.windowBottom) continue;
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
    g.append(element('path', { d: `M${head(0.45)} L${last[0]} ${last[1]} L${head(-0.45)}`, fill: 'none', stroke: color, 'stroke-width': '1.2' }));
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
