// `resnet-studio diff OLD NEW`: what changed between two architectures (blocks and layers matched
// by path) and what it costs, per stage and in total; as text or as JSON.
import { analyze } from '../core/analysis/analyze';
import type { ModelNode } from '../core/analysis/network';
import { diffModels } from '../core/diff/architectureDiff';
import { formatDiff } from '../core/diff/formatDiff';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { readSourceOrRevision } from './readRevision';
import { parseBatch, parseShape } from './stats';

export const diffHelp = `Usage: resnet-studio diff OLD NEW [--model NAME | --old-model A --new-model B] [--input HxWxC] [--batch N] [--json]

Compares two architectures: which blocks and layers were added, removed or changed (matched by
path, e.g. conv3_x.2), every output shape that changed, and the deltas of params, MACs and
activation memory per stage and in total.
  OLD, NEW         .resnet files, or REV:PATH for a file as git holds it, e.g. HEAD~1:examples/x.resnet
  --model NAME     the model of this name in both files (needed when a file has several)
  --old-model A    the model in OLD ...
  --new-model B    ... and the one in NEW (the same file twice compares two of its models)
  --input HxWxC    analyze both at another input size, e.g. 32x32x3
  --batch N        batch size for the activation memory (default 128)
  --json           {"old":{name,totals},"new":{name,totals},"delta":{params,macs,activationBytes},
                    "stages":[{name,delta}],"changes":[{path,change,old,new}]}`;

export interface DiffOptions {
  readonly model?: string;
  readonly 'old-model'?: string;
  readonly 'new-model'?: string;
  readonly input?: string;
  readonly batch?: string;
  readonly json?: boolean;
}

export function runDiff(positionals: readonly string[], options: DiffOptions, out: Output): number {
  const [oldArg, newArg, ...extra] = positionals;
  if (oldArg === undefined || newArg === undefined || extra.length > 0) throw new CliError(`diff takes two files, got ${positionals.length}\n\n${diffHelp}`);
  if (options.model !== undefined && (options['old-model'] !== undefined || options['new-model'] !== undefined)) {
    throw new CliError('use either --model NAME or --old-model A --new-model B, not both');
  }
  const batch = parseBatch(options.batch, out.locale);
  const input = options.input === undefined ? undefined : parseShape(options.input);
  let errors = 0;
  const load = (argument: string, wanted: string | undefined, flag: string): ModelNode => {
    const analysis = analyze(readSourceOrRevision(argument, process.cwd(), out.locale), { input });
    for (const d of analysis.diagnostics.filter((x) => x.severity === 'error')) {
      out.error(formatDiagnostic(argument, d, out.locale));
      errors++;
    }
    const names = analysis.models.map((m) => m.name);
    if (wanted !== undefined) {
      const model = analysis.models.find((m) => m.name === wanted);
      if (!model) throw new CliError(`${argument} has no model named ${wanted}; its models: ${names.join(', ') || 'none'}`, 1);
      return model;
    }
    const [only, ...more] = analysis.models;
    if (only !== undefined && more.length === 0) return only;
    if (only === undefined) throw new CliError(`${argument} has no model that could be analyzed${errors ? '; fix the errors above' : ''}`, 1);
    throw new CliError(`${argument} has ${names.length} models (${names.join(', ')}); choose one with ${flag}`);
  };
  const oldModel = load(oldArg, options.model ?? options['old-model'], options['new-model'] !== undefined ? '--old-model' : '--model or --old-model');
  const newModel = load(newArg, options.model ?? options['new-model'], options['old-model'] !== undefined ? '--new-model' : '--model or --new-model');
  const diff = diffModels(oldModel, newModel, batch);
  if (options.json) out.print(JSON.stringify(diff));
  else out.print(formatDiff(diff, { oldSource: oldArg, newSource: newArg, batchSize: batch, ...(out.locale === undefined ? {} : { locale: out.locale }) }));
  return errors > 0 ? 1 : 0;
}
