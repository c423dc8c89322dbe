// `resnet-studio analyze RUN...`: the layer statistics of training runs (issue 24), side by side:
// each layer's response std and gradient norm at the latest measurement, or at --step S; as a
// table, --csv FILE, or --json. A run folder is data (docs/run-folder.md): only its metrics.jsonl
// is read, through the schema of the training messages.
import { statSync, writeFileSync } from 'node:fs';
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { layerStatsCsv, layerStatsJson, layerStatsTable, type RunLayerStats } from '../core/report/layerStats';
import { printable } from '../core/report/printable';
import type { LayerStatsMessage } from '../protocol/training';
import { readMetrics, runPaths } from '../training/runFolder/runFolder';
import { CliError } from './cliError';
import { wholeNumber } from './numberArgument';
import type { Output } from './output';

export interface AnalyzeOptions {
  readonly step?: string;
  readonly csv?: string;
  readonly json?: boolean;
}

export function analyzeHelp(locale: Locale): string {
  return format(locale, 'cli.analyze.help');
}

export async function runAnalyze(positionals: readonly string[], options: AnalyzeOptions, out: Output): Promise<number> {
  const locale = out.locale ?? 'en';
  if (positionals.length === 0) throw new CliError(`${format(locale, 'analyze.needsRun')}\n\n${analyzeHelp(locale)}`);
  const step = options.step === undefined ? undefined : wholeNumber(options.step);
  if (options.step !== undefined && (step === undefined || step < 1)) throw new CliError(format(locale, 'analyze.badStep', { value: JSON.stringify(options.step) }));
  const runs: RunLayerStats[] = [];
  for (const run of positionals) runs.push(await readRun(run, step, locale));
  if (options.csv !== undefined) {
    try {
      writeFileSync(options.csv, layerStatsCsv(runs));
    } catch (error) {
      throw new CliError(format(locale, 'analyze.csvFailed', { file: printable(options.csv), reason: (error as Error).message }), 2);
    }
  }
  if (options.json) out.print(layerStatsJson(runs));
  else {
    out.print(layerStatsTable(runs, locale));
    if (options.csv !== undefined) out.error(format(locale, 'analyze.csvWritten', { file: printable(options.csv) }));
  }
  return 0;
}

/** The run's layer statistics at `step`, else its latest; a CliError naming the folder and the fix otherwise. */
async function readRun(run: string, step: number | undefined, locale: Locale): Promise<RunLayerStats> {
  const shown = printable(run);
  let isFolder: boolean;
  try {
    isFolder = statSync(run).isDirectory();
  } catch {
    throw new CliError(format(locale, 'analyze.noFolder', { run: shown }), 2);
  }
  if (!isFolder) throw new CliError(format(locale, 'analyze.notFolder', { run: shown }), 2);
  let parsed: Awaited<ReturnType<typeof readMetrics>>;
  try {
    parsed = await readMetrics(run);
  } catch (error) {
    throw new CliError(format(locale, 'analyze.unreadable', { run: shown, reason: printable((error as Error).message) }), 2);
  }
  const started = parsed.messages.find((m) => m.type === 'started');
  if (!started) throw new CliError(format(locale, 'analyze.notRunFolder', { run: shown, metrics: printable(runPaths(run).metrics) }), 2);
  const measured = parsed.messages.filter((m): m is LayerStatsMessage => m.type === 'layerStats');
  if (measured.length === 0) throw new CliError(format(locale, 'analyze.noLayerStats', { run: shown }), 1);
  // A resumed run may have measured a step twice: the later line is the one that stands.
  const chosen = step === undefined ? measured.reduce((a, b) => (b.step >= a.step ? b : a)) : measured.filter((m) => m.step === step).at(-1);
  if (!chosen) throw new CliError(format(locale, 'analyze.noStep', { run: shown, step: step ?? 0, steps: [...new Set(measured.map((m) => m.step))].join(', ') }), 1);
  return { run, model: started.model, step: chosen.step, layers: chosen.layers };
}
