// Layer statistics of runs (issue 24), side by side: one row per layer in the network's order, a
// response std and a gradient norm column per run; as a terminal table (English or Korean), CSV and
// JSON. Host-free: `resnet-studio analyze` prints them, a dashboard may show the same rows.
import { at } from '../indexed';
import { format } from '../l10n/format';
import type { Locale } from '../l10n/locale';
import type { LayerStat } from '../../protocol/training';
import { csvField } from './csv';
import { printable } from './printable';
import { displayWidth } from './textWidth';

export interface RunLayerStats {
  /** The run folder as the person named it. */
  readonly run: string;
  readonly model: string;
  readonly step: number;
  readonly layers: readonly LayerStat[];
}

/** Text from a run folder in one table cell: escaped (printable), on one line. */
function cell(text: string): string {
  return printable(text).replace(/[\n\r\t]/g, ' ');
}

/** Four significant digits: the figures span orders of magnitude (a gradient norm of 1e-6 beside one of 3). */
function figure(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

/** Every layer path of the runs, the first run's order first, then any layer only a later run has. */
function layerPaths(runs: readonly RunLayerStats[]): string[] {
  const paths = new Set<string>();
  for (const run of runs) for (const layer of run.layers) paths.add(layer.path);
  return [...paths];
}

export function layerStatsTable(runs: readonly RunLayerStats[], locale: Locale): string {
  const titles = runs.map((r, i) => format(locale, 'analyze.title', { index: i + 1, run: cell(r.run), model: cell(r.model), step: r.step }));
  const header = [
    format(locale, 'summary.column.layer'),
    ...runs.flatMap((_, i) => [format(locale, 'analyze.column.responseStd', { index: i + 1 }), format(locale, 'analyze.column.gradNorm', { index: i + 1 })]),
  ];
  const byPath = runs.map((r) => new Map(r.layers.map((l) => [l.path, l])));
  const rows = [
    header,
    ...layerPaths(runs).map((path) => [
      cell(path),
      ...byPath.flatMap((m) => {
        const l = m.get(path);
        return l ? [figure(l.responseStd), figure(l.gradNorm)] : ['–', '–'];
      }),
    ]),
  ];
  // Lined up in a terminal: a Korean heading counts two columns a syllable.
  const widths = header.map((_, c) => Math.max(...rows.map((r) => displayWidth(at(r, c, 'layer stats cell')))));
  const render = (r: readonly string[]) =>
    r
      .map((cell, c) => {
        const pad = ' '.repeat(Math.max(0, at(widths, c) - displayWidth(cell)));
        return c === 0 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  return [...titles, '', ...rows.map(render)].join('\n');
}

/** One line per run and layer: run,model,step,layer,response_std,grad_norm. */
export function layerStatsCsv(runs: readonly RunLayerStats[]): string {
  const lines = ['run,model,step,layer,response_std,grad_norm'];
  for (const r of runs) for (const l of r.layers) lines.push([csvField(r.run), csvField(r.model), r.step, csvField(l.path), l.responseStd, l.gradNorm].join(','));
  return `${lines.join('\n')}\n`;
}

/** {"runs":[{"run","model","step","layers":[{"path","op","responseStd","gradNorm"}]}]} */
export function layerStatsJson(runs: readonly RunLayerStats[]): string {
  return JSON.stringify({
    runs: runs.map((r) => ({
      run: r.run,
      model: r.model,
      step: r.step,
      layers: r.layers.map((l) => ({ path: l.path, ...(l.op ? { op: l.op } : {}), responseStd: l.responseStd, gradNorm: l.gradNorm })),
    })),
  });
}

/**
 * An experiment's responses panel in results.md (the paper's Fig. 7): one column per variant, its
 * run's last measurement, a row per layer index; in the network's order, then each column sorted
 * largest first, as the figure's two panels. Empty when no variant has layer statistics.
 */
export function responsesMarkdown(variants: readonly { readonly label: string; readonly step: number; readonly layers: readonly LayerStat[] }[]): string {
  // The convolutions, as Fig. 7 (a run recorded before layers had an `op` shows every layer).
  const convolutions = variants.map((v) => ({ ...v, layers: v.layers.filter((l) => l.op !== 'fc') }));
  const measured = convolutions.filter((v) => v.layers.length > 0);
  if (measured.length === 0) return '';
  const markdownCell = (text: string) => cell(text).replace(/\|/g, '\\|');
  const columns = measured.map((v) => v.layers.map((l) => l.responseStd));
  const depth = Math.max(...columns.map((c) => c.length));
  const table = (values: readonly (readonly number[])[]) => {
    const lines = [`| layer | ${measured.map((v) => markdownCell(v.label)).join(' | ')} |`, `| ---: | ${measured.map(() => '---:').join(' | ')} |`];
    for (let i = 0; i < depth; i++) lines.push(`| ${i + 1} | ${values.map((c) => (c[i] === undefined ? '' : figure(c[i] as number))).join(' | ')} |`);
    return lines.join('\n');
  };
  const steps = measured.map((v) => `${markdownCell(v.label)} at step ${v.step}`).join(', ');
  return [
    '## Layer responses (Fig. 7)',
    '',
    `Standard deviation of each layer's response (a convolution's after its BatchNorm, before the nonlinearity) on held-out images, every convolution in the network's order: ${steps}.`,
    '',
    table(columns),
    '',
    'Sorted, largest first:',
    '',
    table(columns.map((c) => [...c].sort((a, b) => b - a))),
    '',
  ].join('\n');
}
