// `resnet-studio stats FILE`: the summary table of each model (or one), or the same as JSON.
import { analyze } from '../core/analysis/analyze';
import { activationBytes } from '../core/analysis/network';
import { noModelNamed } from '../core/report/modelChoice';
import type { Shape } from '../core/analysis/shape';
import { formatSummary } from '../core/report/summary';
import { modelStats, type StatsDocument } from '../core/report/statsJson';
import type { Locale } from '../core/l10n/locale';
import { BATCH_SIZE } from '../core/optionRules';
import { parseCostOptions } from './costOptions';
import { CliError } from './cliError';
import { countOption, wholeNumber } from './numberArgument';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { readSource } from './readSource';

export const statsHelp = `Usage: resnet-studio stats FILE [--model NAME] [--input HxWxC] [--batch N] [--convention C] [--memory-budget MIB] [--json]

Prints each model's layers with output shape, parameters and multiply-accumulates (MACs),
a subtotal per stage, the totals, and the activation memory for training.
  --model NAME     only this model
  --input HxWxC    analyze at another input size, e.g. 32x32x3
  --batch N        batch size for the activation memory (default 128)
  --convention C   how compute is counted: macs (default), flops, ptflops, ptflops-aten, ptflops-0.7, fvcore, thop
  --memory-budget MIB  memory a training step may use, in MiB: prints the largest batch that fits
  --json           one JSON object: {"complete":true|false,"errors":N,"models":[{name,input,totals,stages,layers}]}
                   and, when the command fails, "error": why (whatever fails, one JSON object is printed)
Exit status: 0 the file has no errors; 1 it has errors: they go to stderr, and the models that
could still be analyzed are printed (with --json, "complete" is false and "errors" counts them;
a model an error stopped is missing); 2 a file cannot be read or the command line is wrong.`;

export interface StatsOptions {
  readonly model?: string;
  readonly input?: string;
  readonly batch?: string;
  readonly json?: boolean;
  readonly convention?: string;
  readonly 'memory-budget'?: string;
}

export function runStats(file: string | undefined, options: StatsOptions, out: Output): number {
  if (!file) throw new CliError(`stats needs a file\n\n${statsHelp}`);
  const batch = parseBatch(options.batch, out.locale);
  const input = options.input === undefined ? undefined : parseShape(options.input);
  const costs = parseCostOptions(options.convention, options['memory-budget'], out.locale);
  const analysis = analyze(readSource(file, out.locale), { input });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) out.error(formatDiagnostic(file, d, out.locale));
  const fileErrors = analysis.counts.errors;
  let models = analysis.models;
  if (options.model !== undefined) {
    models = models.filter((m) => m.name === options.model);
    if (models.length === 0) {
      throw new CliError(noModelNamed(file, options.model, analysis.models), 1, fileErrors);
    }
  }
  if (models.length === 0) throw new CliError(`${file} has no model that could be analyzed${errors.length ? '; fix the errors above' : ''}`, 1, fileErrors);
  for (const m of models) {
    if (!Number.isSafeInteger(activationBytes(m, batch))) {
      throw new CliError(`--batch ${batch} makes the activation memory of ${m.name} pass 2^53 bytes, beyond what can be counted exactly; use a smaller batch`, 2, fileErrors);
    }
  }
  // With errors, what is printed is what could be analyzed: the JSON says so, for scripts.
  if (options.json) {
    const document: StatsDocument = { complete: fileErrors === 0, errors: fileErrors, models: models.map((m) => modelStats(m, batch, costs.convention)) };
    out.print(JSON.stringify(document));
  } else out.print(models.map((m) => formatSummary(m, { batchSize: batch, costs, locale: out.locale })).join('\n\n'));
  return errors.length > 0 ? 1 : 0;
}

/** `--batch N` (stats, diff): the rule the setting resnet.summary.batchSize is checked by too. */
export function parseBatch(text: string | undefined, locale?: Locale): number {
  return countOption(text, '--batch', BATCH_SIZE, 128, locale);
}

export function parseShape(text: string): Shape {
  const parts = text.split(/[x×]/).map((p) => wholeNumber(p) ?? NaN);
  const [height, width, channels, ...extra] = parts;
  if (height === undefined || width === undefined || channels === undefined || extra.length > 0 || parts.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new CliError(`--input takes height x width x channels, e.g. 224x224x3, not ${JSON.stringify(text)}`);
  }
  return [height, width, channels];
}
