// The results of an experiment as the paper's Table 6 gives them: one row per variant with its
// params and MACs, final training error and test error (mean ± std over its seeds), the best
// marked; as a text table for the terminal, CSV and Markdown. Host-free: the CLI and the
// dashboard's experiment view print the same rows.
import { csvField } from './csv';
import type { ExperimentResult } from '../../protocol/experiment';
import type { MessageKey } from '../l10n/en';
import { formatShort } from './numbers';
import { displayWidth } from './textWidth';

export interface Spread {
  readonly mean: number;
  /** Sample standard deviation; 0 with one value. */
  readonly std: number;
  readonly count: number;
}

export interface ResultRow {
  readonly variant: string;
  readonly label: string;
  readonly plain: boolean;
  readonly params: number;
  readonly macs: number;
  /** Runs of this variant that finished, of all its runs. */
  readonly finished: number;
  readonly runs: number;
  readonly trainError?: Spread | undefined;
  readonly testError?: Spread | undefined;
  /** The lowest mean test error of the experiment. */
  readonly best: boolean;
}

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), count: values.length };
}

/** One row per variant, in the order the variants first appear. */
export function resultRows(results: readonly ExperimentResult[]): ResultRow[] {
  const groups = new Map<string, ExperimentResult[]>();
  for (const r of results) groups.set(r.variant, [...(groups.get(r.variant) ?? []), r]);
  const rows = [...groups.values()].map((runs) => {
    const finished = runs.filter((r) => r.status === 'finished');
    // A group holds at least the result that made it.
    const first = runs[0]!;
    return {
      variant: first.variant,
      label: first.label,
      plain: first.plain,
      params: first.params,
      macs: first.macs,
      finished: finished.length,
      runs: runs.length,
      trainError: spread(finished.flatMap((r) => (r.finalTrainError === undefined || !Number.isFinite(r.finalTrainError) ? [] : [r.finalTrainError]))),
      testError: spread(finished.flatMap((r) => (r.testAccuracy === undefined || !Number.isFinite(r.testAccuracy) ? [] : [1 - r.testAccuracy]))),
      best: false,
    };
  });
  let best: (typeof rows)[number] | undefined;
  for (const row of rows) if (row.testError && (!best?.testError || row.testError.mean < best.testError.mean)) best = row;
  return rows.map((row) => ({ ...row, best: row === best }));
}

/** `8.75` or `8.75 ± 0.16` (percent). */
export function formatSpread(s: Spread | undefined): string {
  if (!s) return '–';
  const pct = (x: number) => (x * 100).toFixed(2);
  return s.count > 1 ? `${pct(s.mean)} ± ${pct(s.std)}` : pct(s.mean);
}

/**
 * The results table's columns, in the terminal, the Markdown and the dashboard alike: catalogue keys,
 * each caller turning them into words in its language (`format`, or a webview's page text).
 */
export const RESULT_COLUMNS = [
  'results.column.variant',
  'results.column.kind',
  'results.column.params',
  'results.column.macs',
  'results.column.runs',
  'results.column.trainError',
  'results.column.testError',
  'results.column.best',
] as const satisfies readonly MessageKey[];
export type ResultColumn = (typeof RESULT_COLUMNS)[number];

/** One variant's row of the results table, as text. */
export function resultCells(row: ResultRow): string[] {
  return [
    row.label,
    row.plain ? 'plain' : 'residual',
    formatShort(row.params),
    formatShort(row.macs),
    `${row.finished}/${row.runs}`,
    formatSpread(row.trainError),
    formatSpread(row.testError),
    row.best ? '★' : '',
  ];
}

/** The terminal's table, columns aligned (a Korean heading counts two columns a character); `header`: RESULT_COLUMNS in words. */
export function resultsTable(rows: readonly ResultRow[], header: readonly string[]): string {
  const table = [header, ...rows.map(resultCells)];
  const widths = header.map((_, i) => Math.max(...table.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (c: string, i: number) => ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c)));
  return table
    .map((r) =>
      r
        .map((c, i) => (i >= 2 && i <= 6 ? pad(c, i) + c : c + pad(c, i)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The table in Markdown; `header`: RESULT_COLUMNS in words. */
export function resultsMarkdown(rows: readonly ResultRow[], header: readonly string[]): string {
  const escapePipes = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [`| ${header.map(escapePipes).join(' | ')} |`, `| ${header.map((_, i) => (i >= 2 && i <= 6 ? '---:' : '---')).join(' | ')} |`];
  for (const row of rows)
    lines.push(
      `| ${resultCells(row)
        .map((c, i) => (i === 0 && row.best ? `**${escapePipes(c)}**` : escapePipes(c)))
        .join(' | ')} |`,
    );
  return `${lines.join('\n')}\n`;
}

/** Raw numbers, one line per variant (errors as fractions, not percent). */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const num = (x: number | undefined) => (x === undefined ? '' : String(x));
  const lines = ['variant,label,kind,params,macs,finished,runs,train_error_mean,train_error_std,test_error_mean,test_error_std,best'];
  for (const r of rows) {
    lines.push(
      [
        csvField(r.variant),
        csvField(r.label),
        r.plain ? 'plain' : 'residual',
        r.params,
        r.macs,
        r.finished,
        r.runs,
        num(r.trainError?.mean),
        num(r.trainError?.std),
        num(r.testError?.mean),
        num(r.testError?.std),
        r.best ? 1 : 0,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A state file's runs as results. */
export function resultsOf(runs: readonly (Omit<ExperimentResult, never> & { readonly key?: string })[]): ExperimentResult[] {
  return runs.map((r) => ({
    variant: r.variant,
    label: r.label,
    model: r.model,
    ...(r.seed === undefined ? {} : { seed: r.seed }),
    plain: r.plain,
    params: r.params,
    macs: r.macs,
    status: r.status,
    ...(r.finalTrainError === undefined ? {} : { finalTrainError: r.finalTrainError }),
    ...(r.testAccuracy === undefined ? {} : { testAccuracy: r.testAccuracy }),
    ...(r.runDir === undefined ? {} : { runDir: r.runDir }),
    ...(r.message === undefined ? {} : { message: r.message }),
  }));
}
