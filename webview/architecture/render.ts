// Draws a layout as SVG. ResNet-1202 with a stage of 200 blocks unfolded has thousands of nodes,
// and panning must stay fluid even where Chromium composites in software, so the page gives the
// compositor as little as possible: one <svg> the size of the canvas (no layer of its own, no CSS
// transform), the pan and zoom as one transform on one group, and in the DOM only what is in the
// viewport plus a margin (re-culled when the view leaves that window). Below a scale where text
// could not be read, labels are hidden (level of detail): boxes and lines only, with the stages'
// titles written over them at a readable size; while the view moves it is drawn a little simpler
// still (see setView).
// The same builders write the whole graph, at full detail, for export. Every text is drawn in the
// style (size, weight) the layout measured it in, in the theme's font, which textMeasure measures.
import { TEXT, stageTitle, type LaidEdge, type LaidGroup, type LaidNode, type Layout, type MeasureText, type TextStyle } from './layout';
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

/** Zoomed out, the stages' titles are written over the graph at this size in pixels. */
const OVERLAY_TITLE_PX = 13;

/** A font for a text style, as CSS and the canvas write it. */
function cssFont(style: TextStyle, family: string): string {
  const { size, weight } = TEXT[style];
  return `${weight} ${size}px ${family}`;
}

/**
 * Measures text as the page draws it: a canvas's measureText in the same font the SVG text uses
 * (the same shaping and fallback fonts, Hangul included), cached, since labels repeat.
 */
export function textMeasure(family: string): MeasureText {
  const context = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  return (text, style) => {
    const key = `${style}\u0000${text}`;
    let width = cache.get(key);
    if (width === undefined) {
      if (context) {
        context.font = cssFont(style, family);
        // One pixel more: SVG and canvas may round glyph advances apart.
        width = context.measureText(text).width + 1;
      } else width = text.length * TEXT[style].size;
      cache.set(key, width);
    }
    return width;
  };
}

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
  /** Zoomed out: the stages' titles, in screen pixels, over the graph. */
  private readonly overlay: SVGGElement;
  private overlayShown = false;
  layout: Layout | undefined;

  constructor(
    readonly svg: SVGSVGElement,
    private palette: Palette,
    private look: LookFor,
    private measure: MeasureText,
  ) {
    this.viewport = element('g', { class: 'viewport' });
    svg.setAttribute('width', '100%');
    svg.setAttribute('height', '100%');
    svg.setAttribute('font-family', palette.font);
    this.layers = { groups: element('g', { class: 'groups' }), edges: element('g', { class: 'edges' }), nodes: element('g', { class: 'nodes' }) };
    this.viewport.append(this.layers.groups, this.layers.edges, this.layers.nodes);
    this.overlay = element('g', { class: 'stage-titles' });
    svg.append(this.viewport, this.overlay);
  }

  /** A new layout (or new colours): everything is rebuilt when next drawn. */
  setLayout(layout: Layout, palette: Palette, look: LookFor, measure: MeasureText): void {
    this.layout = layout;
    this.palette = palette;
    this.look = look;
    this.measure = measure;
    this.svg.setAttribute('font-family', palette.font);
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
    this.drawOverlay(coarse ? view : undefined, viewport);
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

  /**
   * Zoomed out below readable text, each stage on screen gets its title at OVERLAY_TITLE_PX, in
   * screen pixels whatever the scale. A click on it folds or unfolds the stage, as on the title.
   */
  private drawOverlay(view: View | undefined, viewport: { readonly width: number; readonly height: number }): void {
    const layout = this.layout;
    if (!view || !layout) {
      if (this.overlayShown) this.overlay.replaceChildren();
      this.overlayShown = false;
      return;
    }
    this.overlayShown = true;
    const stages = [
      ...layout.groups.filter((g) => g.kind === 'stage').map((box) => ({ box, folded: false })),
      ...layout.nodes.filter((n) => n.kind === 'stage').map((box) => ({ box, folded: true })),
    ].sort((a, b) => a.box.y - b.box.y);
    const titles: SVGElement[] = [];
    const placed: { left: number; top: number; right: number; bottom: number }[] = [];
    const k = OVERLAY_TITLE_PX / TEXT.stage.size;
    const line = OVERLAY_TITLE_PX + 4;
    for (const { box, folded } of stages) {
      const left = view.x + box.x * view.scale;
      const top = view.y + box.y * view.scale;
      const right = left + box.width * view.scale;
      const bottom = top + box.height * view.scale;
      if (bottom < 0 || top > viewport.height || right < 0 || left > viewport.width) continue;
      const label = stageTitle(box.source.label, folded);
      const width = this.measure(label, 'stage') * k;
      // Beside the box's right side (inside, its header is too low for it at this scale; a title
      // over the nodes would hide them), at the top of the part on screen, so it stays while any
      // of the stage is (like a sticky header); a short box's, level with it. Inside the box's
      // left when the right side is off screen.
      const shownTop = Math.max(top, 0);
      const shownBottom = Math.min(bottom, viewport.height);
      const x = right + 6 + width <= viewport.width ? right + 6 : Math.max(left, 0) + 4;
      let baseline = shownBottom - shownTop >= line ? shownTop + line - 3 : (shownTop + shownBottom) / 2 + OVERLAY_TITLE_PX / 2 - 2;
      // Stages too close together on screen for a title each: a title that would cover an earlier
      // one goes below it, as long as it stays by its box (two lines past it at most) and on screen.
      const lowest = Math.min(Math.max(shownBottom, baseline) + 2 * line, viewport.height - 4);
      const overlaps = (b: number) => placed.find((p) => p.left < x + width && x < p.right && p.top < b + 4 && b - OVERLAY_TITLE_PX < p.bottom);
      for (let covered = overlaps(baseline); covered; covered = overlaps(baseline)) baseline = covered.bottom + OVERLAY_TITLE_PX + 1;
      if (baseline > lowest) continue;
      placed.push({ left: x, top: baseline - OVERLAY_TITLE_PX, right: x + width, bottom: baseline + 4 });
      titles.push(
        text(label, Math.round(x), Math.round(baseline), 'stage', {
          fill: this.palette.foreground,
          stroke: this.palette.background,
          'stroke-width': '3',
          'paint-order': 'stroke',
          'font-size': String(OVERLAY_TITLE_PX),
          'data-toggle': box.source.stage ?? box.id,
          'data-id': box.id,
          class: 'toggle',
        }),
      );
    }
    this.overlay.replaceChildren(...titles);
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

  /**
   * The whole graph as a standalone SVG document, in the theme's colours, under its title: as wide
   * as the wider of the two (the layout's width covers every label in it).
   */
  exportSvg(title: string): string {
    const layout = this.layout;
    if (!layout) return '';
    const pad = 16;
    const titleHeight = 28;
    const width = Math.ceil(Math.max(layout.width, this.measure(title, 'heading')) + 2 * pad);
    const height = Math.ceil(layout.height + 2 * pad + titleHeight);
    const doc = element('svg', {
      xmlns: SVG,
      width: String(width),
      height: String(height),
      viewBox: `0 0 ${width} ${height}`,
      'font-family': this.palette.font,
    });
    doc.append(element('rect', { x: '0', y: '0', width: '100%', height: '100%', fill: this.palette.background }));
    doc.append(text(title, pad, pad + 12, 'heading', { fill: this.palette.foreground }));
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
  // An addition's error message runs under it to the right, beyond its circle.
  for (const n of layout.nodes) {
    const extent = boxExtent(n);
    if (n.error) Object.assign(extent, { maxX: Math.max(extent.maxX, n.x + n.width / 2 + 8 + n.error.width), maxY: extent.maxY + 16 });
    out.push({ key: n.id, ...extent, layer: 'nodes', build: () => nodeElement(n, palette(), look(n)) });
  }
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

function boxExtent(b: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }) {
  return { minX: b.x, maxX: b.x + b.width, minY: b.y, maxY: b.y + b.height };
}

/** An edge's points and its label beside them. */
function edgeExtent(e: LaidEdge) {
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (const [x] of e.points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
  }
  if (e.labelAt) {
    const [x] = e.labelAt;
    minX = Math.min(minX, e.labelAnchor === 'end' ? x - e.labelWidth : x);
    maxX = Math.max(maxX, e.labelAnchor === 'end' ? x : x + e.labelWidth);
  }
  return { minX, maxX, minY: e.minY, maxY: e.maxY };
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
    g.append(text(n.text, r, r + 4.5, 'join', { fill: error ? textOn(palette.error, palette) : textOn(look.fill, palette), 'text-anchor': 'middle' }));
    if (n.error) g.append(text(n.error.text, r + 8, 2 * r + 12, 'error', { fill: palette.error, class: 'error-text' }));
    return g;
  }
  g.append(element('rect', { width: String(n.width), height: String(n.height), rx: n.kind === 'io' ? '13' : '4', fill: look.fill, stroke, 'stroke-width': strokeWidth }));
  const ink = textOn(look.fill, palette);
  if (n.kind === 'stage') {
    g.append(text(n.text, 10, 17, 'stage', { fill: ink, 'data-toggle': n.id, class: 'toggle' }));
    if (n.detail !== undefined) g.append(text(n.detail, 10, 34, 'detail', { fill: ink }));
  } else {
    g.append(text(n.text, n.width / 2, 17, 'label', { fill: ink, 'text-anchor': 'middle' }));
  }
  if (error) g.append(text('⚠', n.width - 14, 17, 'stage', { fill: palette.error }));
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
    g.append(text(group.title, group.width - 8, 16, 'stage', { fill: palette.foreground, 'data-toggle': group.id, class: 'toggle', 'text-anchor': 'end' }));
  } else {
    g.append(text(group.title, group.width - 6, 12, 'small', { fill: palette.muted, 'text-anchor': 'end' }));
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
    g.append(text(e.label, e.labelAt[0], e.labelAt[1] + 3, 'small', { fill: e.shortcut ? color : palette.muted, 'text-anchor': e.labelAnchor }));
  }
  return g;
}

function element<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== '') el.setAttribute(name, value);
  return el;
}

/** Text as a text node (names from the file are never parsed as markup), in the size and weight the layout measured it in. */
function text(content: string, x: number, y: number, style: TextStyle, attributes: Record<string, string>): SVGTextElement {
  const { size, weight } = TEXT[style];
  const t = element('text', { x: String(x), y: String(y), 'font-size': String(size), 'font-weight': String(weight), ...attributes });
  t.textContent = content;
  return t;
}
