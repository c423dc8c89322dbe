// A chart as a PNG (its canvas, with a title and a legend drawn on, on the theme's background so
// it reads outside VS Code) and as CSV (the aligned columns the chart draws).
import type { ChartModel } from './chartData';
import { csvField } from '../../src/core/report/csv';
import { runColor, withAlpha, type Theme } from './theme';

export function chartPng(plotCanvas: HTMLCanvasElement, model: ChartModel, title: string, theme: Theme): string {
  const scale = window.devicePixelRatio || 1;
  const width = plotCanvas.width;
  const pad = 10 * scale;
  const lineHeight = 18 * scale;
  const font = theme.font.replace(/^[\d.]+px/, (px) => `${parseFloat(px) * scale}px`);

  const measure = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
  measure.font = font;
  // Lay the legend out in rows first: the canvas height depends on it.
  const swatch = 22 * scale;
  const entries = model.series.map((s) => ({ spec: s, width: swatch + 6 * scale + measure.measureText(s.label).width + 16 * scale }));
  let row: typeof entries = [];
  const rows = [row];
  let used = pad;
  for (const entry of entries) {
    if (used + entry.width > width - pad && row.length > 0) {
      row = [];
      rows.push(row);
      used = pad;
    }
    row.push(entry);
    used += entry.width;
  }
  const titleHeight = lineHeight + pad;
  const legendHeight = rows.length * lineHeight + pad;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = titleHeight + plotCanvas.height + legendHeight;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = `bold ${font}`;
  ctx.fillStyle = theme.foreground;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, pad, pad + lineHeight / 2);
  ctx.drawImage(plotCanvas, 0, titleHeight);

  ctx.font = font;
  rows.forEach((row, r) => {
    let x = pad;
    const y = titleHeight + plotCanvas.height + pad / 2 + r * lineHeight + lineHeight / 2;
    for (const { spec, width: w } of row) {
      const color = runColor(theme, spec.color);
      ctx.strokeStyle = spec.role === 'raw' ? withAlpha(color, 0.35) : color;
      ctx.lineWidth = (spec.role === 'validation' ? 2.5 : 2) * scale;
      ctx.setLineDash(spec.role === 'train' ? [6 * scale, 4 * scale] : []);
      ctx.beginPath();
      if (spec.role === 'best') ctx.arc(x + swatch / 2, y, 4 * scale, 0, 2 * Math.PI);
      else {
        ctx.moveTo(x, y);
        ctx.lineTo(x + swatch, y);
      }
      ctx.stroke();
      ctx.fillStyle = theme.foreground;
      ctx.fillText(spec.label, x + swatch + 6 * scale, y);
      x += w;
    }
  });
  return canvas.toDataURL('image/png');
}

export function chartCsv(model: ChartModel): string {
  const lines = [[model.xLabel, ...model.series.map((s) => s.label)].map(csvField).join(',')];
  for (let i = 0; i < model.x.length; i++) {
    const row = [formatExact(model.x[i])];
    for (const y of model.ys) row.push(formatExact(y[i]));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Data keeps every digit (it is for analysis); an empty field is a run without a point there. */
function formatExact(v: number | null | undefined): string {
  return v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
}
