// How the person wants the charts drawn. Kept in the webview's state, so a reload (or VS Code
// restarting with the panel open) comes back the same; old or damaged state falls back to defaults.

export type XAxis = 'step' | 'epoch';
export type YScale = 'linear' | 'log';
/** The paper plots error (1 − accuracy); accuracy reads better to some. */
export type Metric = 'error' | 'accuracy';

export interface ViewOptions {
  readonly xAxis: XAxis;
  readonly yScale: YScale;
  readonly metric: Metric;
  /** The loss smoothing weight, 0 (raw) to 0.99. */
  readonly smoothing: number;
  /** Layer responses sorted largest first (the lower panel of the paper's Fig. 7), else in the network's order. */
  readonly sortedResponses?: boolean;
}

export interface DashboardState extends ViewOptions {
  /** The runs overlaid, in the order they were picked. */
  readonly selected: readonly string[];
  /** Each overlaid run's palette index: a run keeps its colour while others come and go. */
  readonly colors: Readonly<Record<string, number>>;
  /** The run the header describes. */
  readonly focused?: string;
}

export const DEFAULT_STATE: DashboardState = { xAxis: 'step', yScale: 'linear', metric: 'error', smoothing: 0.6, selected: [], colors: {} };

/** The state with `runDir` overlaid (and focused) or taken off (and, if focused, no longer). */
export function withRun(state: DashboardState, runDir: string, on: boolean): DashboardState {
  const selected = state.selected.filter((d) => d !== runDir);
  const colors: Record<string, number> = {};
  for (const d of selected) {
    // A run the state has no colour for stays without one, rather than getting an `undefined` entry.
    const color = state.colors[d];
    if (color !== undefined) colors[d] = color;
  }
  if (on) {
    selected.push(runDir);
    colors[runDir] = state.colors[runDir] ?? lowestFree(Object.values(colors));
    return { ...state, selected, colors, focused: runDir };
  }
  const { focused, ...rest } = state;
  return { ...rest, selected, colors, ...(focused !== undefined && focused !== runDir ? { focused } : {}) };
}

function lowestFree(used: readonly number[]): number {
  let n = 0;
  while (used.includes(n)) n++;
  return n;
}

export const MAX_SMOOTHING = 0.99;

export function clampSmoothing(value: number): number {
  return Number.isFinite(value) ? Math.min(MAX_SMOOTHING, Math.max(0, value)) : DEFAULT_STATE.smoothing;
}

/** The state saved by an earlier page, field by field, with defaults where it does not fit. */
export function restoreState(saved: unknown): DashboardState {
  if (typeof saved !== 'object' || saved === null) return DEFAULT_STATE;
  const s = saved as Record<string, unknown>;
  const options: DashboardState = {
    xAxis: s.xAxis === 'epoch' ? 'epoch' : 'step',
    yScale: s.yScale === 'log' ? 'log' : 'linear',
    metric: s.metric === 'accuracy' ? 'accuracy' : 'error',
    smoothing: typeof s.smoothing === 'number' ? clampSmoothing(s.smoothing) : DEFAULT_STATE.smoothing,
    ...(s.sortedResponses === true ? { sortedResponses: true } : {}),
    selected: [],
    colors: {},
  };
  const savedColors = typeof s.colors === 'object' && s.colors !== null ? (s.colors as Record<string, unknown>) : {};
  const selected = Array.isArray(s.selected) ? s.selected.filter((d): d is string => typeof d === 'string') : [];
  // Re-adding the runs one by one keeps every colour that is still valid and unique.
  let state = options;
  for (const runDir of selected) {
    const color = savedColors[runDir];
    const valid = typeof color === 'number' && Number.isInteger(color) && color >= 0 && !Object.values(state.colors).includes(color);
    state = withRun(valid ? { ...state, colors: { ...state.colors, [runDir]: color } } : state, runDir, true);
  }
  const { focused: _lastAdded, ...withoutFocus } = state;
  return { ...withoutFocus, ...(typeof s.focused === 'string' ? { focused: s.focused } : {}) };
}
