// What every uPlot chart of the dashboard shares: its height, whole-number ticks, the themed axes
// (a value axis formatted as the read-outs are), the y scale (linear or log) and how it follows its
// container's width.
import type uPlot from 'uplot';
import { formatValue } from './format';
import type { Theme } from './theme';

export const CHART_HEIGHT = 230;
/** Steps and layer indices are whole numbers: no tick at 2.5. */
export const WHOLE_INCREMENTS = Array.from({ length: 8 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/** An axis in the theme's colours and font. */
export function themedAxis(label: string, theme: Theme): uPlot.Axis {
  return {
    label,
    stroke: theme.muted,
    font: theme.font,
    labelFont: theme.font,
    labelSize: 18,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
  };
}

/** The y axis: wide enough for its figures, written as the legend writes them. */
export function valueAxis(label: string, theme: Theme): uPlot.Axis {
  return { ...themedAxis(label, theme), size: 64, values: (_u, splits) => splits.map((v) => formatValue(v)) };
}

/** The y scale: base-10 logarithmic or linear. */
export function yScale(log: boolean): uPlot.Scale {
  return log ? { distr: 3, log: 10 } : {};
}

/** Resizes `plot` to the container's width when it changed by more than a pixel. */
export function fitToWidth(plot: uPlot | undefined, container: HTMLElement): void {
  const width = container.clientWidth;
  if (plot && width > 0 && Math.abs(width - plot.width) > 1) plot.setSize({ width, height: CHART_HEIGHT });
}
