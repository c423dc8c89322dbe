// The line series of one step or epoch chart, drawn by the dashboard instead of uPlot (issue 21):
// on a canvas of their own that uPlot's canvas shows above its grid. While the chart's scales, size
// and series stay as they were, a redraw repaints only right of the first point that changed (a
// live run changes its last pixel columns), so appending to six runs of a million steps costs a
// sliver of canvas a redraw, not every line again. With software rendering (VMs, remote desktops)
// Chromium rasterises the canvas on the main thread as the frame is committed, and uPlot's full
// redraw took 60–250 ms there (docs/benchmarks.md). Lines wider than a device pixel are drawn as a
// few one-pixel strokes side by side: Skia draws a one-pixel line through its fast thin-line path,
// a wider one through its stroker, 15× slower at a thousand points.
import type uPlot from 'uplot';

/** How the layer draws series `i` of the chart (undefined: not a line, uPlot draws it). */
export interface LineStyle {
  /** Width in CSS pixels. */
  readonly width: number;
  readonly dash?: readonly number[] | undefined;
}

/**
 * The vertices a polyline through (x[i], y[i]) needs at pixel resolution: in each device-pixel
 * column (`Math.round(x)`) its first point, its lowest and highest (in the order they come) and
 * its last, so the drawn line covers exactly what drawing every point would (M4). Points whose y is
 * null are passed over (the line spans them). Vertices go to `out` as x, y pairs; returns their count.
 */
export function pixelVertices(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, out: Float64Array): number {
  let n = 0;
  let column = Number.NaN;
  // The current column's first, lowest, highest and last point, as indices into x and y.
  let first = -1;
  let low = -1;
  let high = -1;
  let last = -1;
  const push = (i: number) => {
    const px = x[i] as number;
    const py = y[i] as number;
    // The same vertex twice draws nothing more.
    if (n > 0 && out[2 * n - 2] === px && out[2 * n - 1] === py) return;
    out[2 * n] = px;
    out[2 * n + 1] = py;
    n++;
  };
  const flush = () => {
    if (first < 0) return;
    push(first);
    if (low < high) {
      if (low !== first) push(low);
      if (high !== last) push(high);
    } else if (high < low) {
      if (high !== first) push(high);
      if (low !== last) push(low);
    }
    if (last !== first) push(last);
  };
  for (let i = from; i < to; i++) {
    const py = y[i];
    if (py === null || py === undefined || Number.isNaN(py)) continue;
    const c = Math.round(x[i] as number);
    if (c !== column) {
      flush();
      column = c;
      first = low = high = i;
    } else {
      if (py < (y[low] as number)) low = i;
      if (py > (y[high] as number)) high = i;
    }
    last = i;
  }
  flush();
  return n;
}

/** One series' vertices in canvas pixels, and how far along the line each is (dashed series only). */
export interface Traced {
  readonly vertices: Float64Array;
  readonly count: number;
  readonly dashAt?: Float64Array | undefined;
}

type DrawKind = 'full' | 'spread' | 'tail' | 'none';

/** A value → canvas pixel map of one axis: linear in the value, or in its logarithm. */
interface Mapping {
  readonly p0: number;
  readonly origin: number;
  readonly slope: number;
  readonly log: boolean;
}

/** What a layer canvas shows: for which scales, box and series (`signature`, `look`: the same without the scales), and which data. */
interface Painted {
  readonly signature: string;
  readonly look: string;
  readonly data: uPlot.AlignedData;
  readonly x: Mapping;
  readonly y: Mapping;
}

/** A repaint of every line spread over frames, on the back canvas: the series drawn so far. */
interface Job {
  readonly painted: Painted;
  next: number;
}

/** Per frame, how long a repaint of every line may take before it goes on at the next frame. */
const FRAME_BUDGET_MS = 4;

export class SeriesLayer {
  private front = layerCanvas();
  private back = layerCanvas();
  /** What the front canvas (the one shown) holds. */
  private painted?: Painted | undefined;
  private job?: Job | undefined;
  private continuation = 0;
  /** The chart the layer last drew for (a chart rebuilt for new series is another uPlot). */
  private owner?: uPlot | undefined;
  /** The layer's position on uPlot's canvas, in device pixels. */
  private left = 0;
  private top = 0;
  /**
   * For tests and the benchmark: how the draws went, counted: every line at once (`full`), a frame of
   * a repaint of every line spread over frames (`spread`), right of the first changed point only
   * (`tail`), or nothing new (`none`).
   */
  readonly draws: Record<DrawKind, number> = { full: 0, spread: 0, tail: 0, none: 0 };

  /**
   * Brings the layer up to date with `u` and puts it on uPlot's canvas. Called from uPlot's
   * `drawAxes` hook: above the grid and axes, under the points uPlot still draws (markers, hover).
   * `styles[i]`: series i's look, for the series this layer draws.
   */
  draw(u: uPlot, styles: readonly (LineStyle | undefined)[]): void {
    this.owner = u;
    let kind: DrawKind = 'none';
    const ratio = devicePixelRatio || 1;
    const left = Math.floor(u.bbox.left);
    const top = Math.floor(u.bbox.top);
    const width = Math.ceil(u.bbox.width);
    const height = Math.ceil(u.bbox.height);
    const widths = styles.map((s) => (s ? s.width * ratio : 0));
    // Lines reach half their width past the plot's edge, as uPlot draws them.
    const pad = Math.ceil(Math.max(1, ...widths) / 2) + 1;
    // No colour: not drawn here (not a line, or hidden from the legend).
    const colors = styles.map((s, i) => (s && u.series[i]?.show ? strokeOf(u, i) : ''));
    const look = JSON.stringify([left, top, width, height, ratio, u.scales.y?.distr, styles, colors, u.series.map((s) => s.show)]);
    const x = mapping(u, 'x');
    const y = mapping(u, 'y');
    const signature = JSON.stringify([look, x, y]);
    const data = u.data;
    const geometry = { widths, pad, colors };
    if (this.painted?.signature !== signature) {
      if (this.painted?.look !== look) {
        this.left = left - pad;
        this.top = top - pad;
        for (const canvas of [this.front, this.back]) {
          canvas.canvas.width = width + 2 * pad;
          canvas.canvas.height = height + 2 * pad;
        }
        this.job = undefined;
      }
      const painted: Painted = { signature, look, data, x, y };
      // The scales moved as the run grew (live steps: it passed the padded end, a new lowest loss):
      // the lines are repainted on the back canvas a few series a frame, the front one shown
      // meanwhile, stretched onto the new scales. Anything else (an answer, a zoom, a first draw)
      // is drawn at once.
      if (this.painted && this.painted.look === look && grown(this.painted.data, data)) {
        if (this.job?.painted.signature !== signature) {
          this.back.ctx.clearRect(0, 0, this.back.canvas.width, this.back.canvas.height);
          this.job = { painted, next: 1 };
        }
        kind = 'spread';
        if (!this.continueJob(styles, geometry)) {
          this.blitStretched(u, this.painted, x, y);
          this.scheduleContinuation(u);
          this.draws.spread++;
          return;
        }
      } else {
        this.job = undefined;
        this.repaint(this.front, painted, styles, geometry, 0);
        this.painted = painted;
        kind = 'full';
      }
    } else {
      // The front canvas is for these scales (they came back before a repaint over frames was done): that repaint is moot.
      this.job = undefined;
    }
    const shown = this.painted as Painted;
    const changed = shown.data === data ? undefined : firstChange(shown.data, data);
    if (changed !== undefined) {
      // The point before the first changed one: the segment from it changed too.
      const before = data[0][changed - 1];
      const from = changed === 0 || before === undefined ? 0 : Math.max(0, Math.floor(at(x, before)) - this.left - pad);
      this.painted = { ...shown, data };
      this.repaint(this.front, this.painted, styles, geometry, from);
      if (kind === 'none') kind = from === 0 ? 'full' : 'tail';
    }
    this.draws[kind]++;
    u.ctx.drawImage(this.front.canvas, this.left, this.top);
  }

  /** Draws the job's next series on the back canvas until the frame's budget is spent; true when it is done (the back canvas is then the front one). */
  private continueJob(styles: readonly (LineStyle | undefined)[], geometry: Geometry): boolean {
    const job = this.job as Job;
    const t0 = performance.now();
    while (job.next < styles.length) {
      this.repaint(this.back, job.painted, styles, geometry, 0, job.next);
      job.next++;
      // Rasterised now (a read of one pixel), so the time spent is known and not left to the frame's commit.
      this.back.ctx.getImageData(0, 0, 1, 1);
      if (job.next < styles.length && performance.now() - t0 > FRAME_BUDGET_MS) return false;
    }
    [this.front, this.back] = [this.back, this.front];
    this.painted = job.painted;
    this.job = undefined;
    return true;
  }

  /** The front canvas onto uPlot's, moved and scaled from the scales it was painted for to `x` and `y`. */
  private blitStretched(u: uPlot, shown: Painted, x: Mapping, y: Mapping): void {
    const { width, height } = this.front.canvas;
    // Where the canvas's corners (in uPlot's canvas pixels) land on the new scales.
    const [x0, x1] = [this.left, this.left + width].map((p) => at(x, valueAt(shown.x, p)));
    const [y0, y1] = [this.top, this.top + height].map((p) => at(y, valueAt(shown.y, p)));
    if (![x0, x1, y0, y1].every((p) => Number.isFinite(p))) return;
    u.ctx.save();
    u.ctx.beginPath();
    u.ctx.rect(this.left, this.top, width, height);
    u.ctx.clip();
    u.ctx.drawImage(this.front.canvas, 0, 0, width, height, x0 as number, y0 as number, (x1 as number) - (x0 as number), (y1 as number) - (y0 as number));
    u.ctx.restore();
  }

  /** Redraws the chart at the next frame (with its data as it then is), to go on with the repaint. */
  private scheduleContinuation(u: uPlot): void {
    if (this.continuation !== 0) return;
    this.continuation = requestAnimationFrame(() => {
      this.continuation = 0;
      if (!this.job || this.owner !== u) return;
      u.redraw(false, false);
    });
  }

  /**
   * Clears `canvas` from column `from` on and draws there every series (or only series `only`) as
   * `painted` has them, in order.
   */
  private repaint(canvas: LayerCanvas, painted: Painted, styles: readonly (LineStyle | undefined)[], geometry: Geometry, from: number, only?: number): void {
    // Right of a column only: drawn on the back canvas and copied over. A clip at that column would
    // cut the lines there, and Skia draws a cut line's end as a line's end, fainter (tested pixel
    // for pixel against a whole repaint).
    const target = from > 0 ? this.back : canvas;
    const { ctx } = target;
    const { width: w, height: h } = target.canvas;
    const { widths, pad, colors } = geometry;
    ctx.save();
    if (only === undefined) ctx.clearRect(from, 0, w - from, h);
    ctx.beginPath();
    // uPlot's clip: the plot box and half a line's width around it.
    const maxWidth = Math.max(1, ...widths);
    ctx.rect(pad - maxWidth / 2, pad - maxWidth / 2, w - 2 * pad + maxWidth, h - 2 * pad + maxWidth);
    ctx.clip();
    ctx.translate(-this.left, -this.top);
    // Vertices left of this canvas x (uPlot's canvas pixels) cannot reach the repainted part.
    const reach = this.left + from - maxWidth - 2;
    // The last point left of it: the series are traced from there (dashed ones from their start, for the dash pattern's phase).
    const xs = painted.data[0];
    const before = from > 0 ? Math.max(0, lowerBound(xs, valueAt(painted.x, reach)) - 1) : 0;
    styles.forEach((style, i) => {
      if (!style || (only !== undefined && i !== only) || !colors[i]) return;
      const traced = trace(painted, i, style, style.dash ? 0 : before);
      if (traced.count < 2) return;
      // The first vertex whose segment to the next reaches the repainted columns (vertices ascend in x).
      let start = 0;
      if (from > 0) {
        let lo = 0;
        let hi = traced.count - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if ((traced.vertices[2 * mid] as number) < reach) lo = mid;
          else hi = mid - 1;
        }
        start = lo;
      }
      ctx.strokeStyle = colors[i] as string;
      ctx.lineJoin = 'round';
      ctx.lineCap = 'butt';
      ctx.setLineDash([]);
      const ratio = devicePixelRatio || 1;
      const path = style.dash
        ? dashedPath(
            traced,
            start,
            style.dash.map((d) => d * ratio),
            new Path2D(),
          )
        : solidPathInto(traced, start, new Path2D());
      strokeWide(ctx, path, widths[i] as number);
    });
    ctx.restore();
    if (target !== canvas) {
      canvas.ctx.clearRect(from, 0, w - from, h);
      canvas.ctx.drawImage(target.canvas, from, 0, w - from, h, from, 0, w - from, h);
    }
  }
}

/** The per-draw facts every repaint of a draw shares: each series' width in device pixels, the margin, the colours (empty: not drawn). */
interface Geometry {
  readonly widths: readonly number[];
  readonly pad: number;
  readonly colors: readonly string[];
}

interface LayerCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
}

function layerCanvas(): LayerCanvas {
  const canvas = document.createElement('canvas');
  return { canvas, ctx: canvas.getContext('2d') as CanvasRenderingContext2D };
}

/**
 * A scale's value → canvas pixel, as uPlot's `valToPos` gives it, without its call per point:
 * linear in the value (or its logarithm on a log scale), through the positions uPlot gives the scale's ends.
 */
function mapping(u: uPlot, scale: 'x' | 'y'): Mapping {
  const { min, max, distr } = u.scales[scale] ?? {};
  const log = distr === 3;
  const value = (v: number) => (log ? Math.log10(v) : v);
  if (min === undefined || max === undefined || min === null || max === null || !(value(max) > value(min))) return { p0: 0, origin: 0, slope: 0, log };
  const p0 = u.valToPos(min, scale, true);
  return { p0, origin: value(min), slope: (u.valToPos(max, scale, true) - p0) / (value(max) - value(min)), log };
}

function at(m: Mapping, v: number): number {
  return m.p0 + ((m.log ? Math.log10(v) : v) - m.origin) * m.slope;
}

/** The value at canvas pixel `p` (the inverse of `at`). */
function valueAt(m: Mapping, p: number): number {
  const v = m.origin + (p - m.p0) / m.slope;
  return m.log ? 10 ** v : v;
}

/** The index of the first value of ascending `values` not below `v`. */
function lowerBound(values: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Series i's vertices on uPlot's canvas, at pixel resolution, from about data index `near` on: from
 * the start of the pixel column of its last point at or before `near`, so the vertices are those a
 * trace of the whole series has there, and the segment into `near` is among them.
 */
function trace(painted: Painted, i: number, style: LineStyle, near: number): Traced {
  const xs = painted.data[0];
  const ys = painted.data[i] as ArrayLike<number | null>;
  const end = Math.min(xs.length, ys.length);
  let first = Math.min(near, end - 1);
  while (first > 0 && (ys[first] === null || ys[first] === undefined)) first--;
  const column = (k: number) => Math.round(at(painted.x, xs[k] as number));
  if (first > 0) {
    const c = column(first);
    while (first > 0 && column(first - 1) === c) first--;
  }
  const n = Math.max(0, end - first);
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = ys[first + k];
    px[k] = at(painted.x, xs[first + k] as number);
    py[k] = v === null || v === undefined ? Number.NaN : at(painted.y, v);
  }
  const vertices = new Float64Array(2 * n);
  const count = pixelVertices(px, py, 0, n, vertices);
  if (!style.dash) return { vertices, count };
  // The dash pattern runs along the whole line: a repaint starting part-way must know where it stands.
  const dashAt = new Float64Array(count);
  for (let k = 1; k < count; k++) {
    dashAt[k] = (dashAt[k - 1] as number) + Math.hypot((vertices[2 * k] as number) - (vertices[2 * k - 2] as number), (vertices[2 * k + 1] as number) - (vertices[2 * k - 1] as number));
  }
  return { vertices, count, dashAt };
}

/**
 * Strokes the polyline from vertex `start` on, `width` device pixels wide: one stroke up to a pixel,
 * else one-pixel strokes side by side, across the width horizontally and vertically (a line of any
 * slope is then about `width` thick; Skia's thin-line path is 15× faster than its stroker here).
 */
/**
 * The dashes of the polyline from vertex `start` on, as pieces of path: each segment's dashes found
 * from where the segment lies along the whole line (`dashAt`), so a repaint from part-way along
 * draws the very dashes a whole repaint draws there. (The canvas's own dashes, begun part-way with
 * `lineDashOffset`, fell a fraction of a pixel elsewhere: their lengths are summed in other floats.)
 */
export function dashedPath<T extends DashSink>(traced: Traced, start: number, pattern: readonly number[], path: T): T {
  const v = traced.vertices;
  const along = traced.dashAt as Float64Array;
  const period = pattern.reduce((a, b) => a + b, 0);
  if (!(period > 0)) return solidPathInto(traced, start, path);
  for (let k = start; k + 1 < traced.count; k++) {
    const s0 = along[k] as number;
    const s1 = along[k + 1] as number;
    if (!(s1 > s0)) continue;
    const [x0, y0, x1, y1] = [v[2 * k] as number, v[2 * k + 1] as number, v[2 * k + 2] as number, v[2 * k + 3] as number];
    const point = (s: number): [number, number] => {
      const t = (s - s0) / (s1 - s0);
      return [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t];
    };
    // The pattern's repeats that overlap [s0, s1]; in each, the "on" stretches (even entries).
    for (let base = Math.floor(s0 / period) * period; base < s1; base += period) {
      let on = base;
      for (let j = 0; j < pattern.length; j++) {
        const off = on + (pattern[j] as number);
        if (j % 2 === 0) {
          const a = Math.max(on, s0);
          const b = Math.min(off, s1);
          if (b > a) {
            path.moveTo(...point(a));
            path.lineTo(...point(b));
          }
        }
        on = off;
      }
    }
  }
  return path;
}

/** What `dashedPath` draws into: a Path2D, or (in tests) anything that records the pieces. */
export interface DashSink {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
}

/** The polyline from vertex `start` on. */
function solidPathInto<T extends DashSink>(traced: Traced, start: number, path: T): T {
  const v = traced.vertices;
  path.moveTo(v[2 * start] as number, v[2 * start + 1] as number);
  for (let k = start + 1; k < traced.count; k++) path.lineTo(v[2 * k] as number, v[2 * k + 1] as number);
  return path;
}

function strokeWide(ctx: CanvasRenderingContext2D, path: Path2D, width: number): void {
  if (width <= 1) {
    ctx.lineWidth = width;
    ctx.stroke(path);
    return;
  }
  ctx.lineWidth = 1;
  // Three strokes: as drawn, a width less one down, and as much right (around the line's middle).
  // Each from the same transform: translating back would leave rounding behind.
  const spread = width - 1;
  const base = ctx.getTransform();
  for (const [dx, dy] of [
    [-spread / 3, -spread / 3],
    [-spread / 3, (2 * spread) / 3],
    [(2 * spread) / 3, -spread / 3],
  ] as const) {
    ctx.translate(dx, dy);
    ctx.stroke(path);
    ctx.setTransform(base);
  }
}

/** Series i's stroke colour as uPlot has it (its option, made a function by uPlot). */
function strokeOf(u: uPlot, i: number): string {
  const stroke = u.series[i]?.stroke as unknown;
  const value = typeof stroke === 'function' ? (stroke as (u: uPlot, i: number) => unknown)(u, i) : stroke;
  return typeof value === 'string' ? value : '#888';
}

/**
 * Whether `b` is `a` grown at its end (live steps: the same first x, a later last x; the points
 * between may be picked anew on a moved pixel grid), as opposed to other points altogether (an
 * answer for a zoom, a first draw), or the same x with other values (the smoothing changed).
 */
function grown(a: uPlot.AlignedData, b: uPlot.AlignedData): boolean {
  const [ax, bx] = [a[0], b[0]];
  return ax.length >= 2 && bx.length >= 2 && ax[0] === bx[0] && (bx[bx.length - 1] as number) > (ax[ax.length - 1] as number);
}

/** The first index where the columns of `a` and `b` differ (x or any series), or where one ends first; undefined if equal. */
function firstChange(a: uPlot.AlignedData, b: uPlot.AlignedData): number | undefined {
  if (a.length !== b.length) return 0;
  const n = Math.min(a[0].length, b[0].length);
  let first = a[0].length === b[0].length ? Number.POSITIVE_INFINITY : n;
  for (let c = 0; c < a.length; c++) {
    const p = a[c] as ArrayLike<number | null | undefined>;
    const q = b[c] as ArrayLike<number | null | undefined>;
    const m = Math.min(p.length, q.length, first);
    if (p.length !== q.length) first = Math.min(first, m);
    for (let i = 0; i < m; i++) {
      if (p[i] !== q[i]) {
        first = i;
        break;
      }
    }
  }
  return first === Number.POSITIVE_INFINITY ? undefined : first;
}
