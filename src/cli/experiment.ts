// `resnet-studio experiment`: checks an experiment's every variant, then trains them in a queue
// (src/training/experiment/) and prints the results as the paper's Table 6, or resumes one.
import { resolve } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { experimentCost } from '../core/report/experimentCost';
import { experimentPlan } from '../core/report/experimentPlan';
import { RESULT_COLUMNS, resultsOf, resultsTable } from '../core/report/experimentResults';
import { format, msg } from '../core/l10n/format';
import { formatBytes, formatPaperUnits } from '../core/report/numbers';
import { DATASET_NAMES } from '../core/datasets';
import type { ExperimentFinished, QueueSettings } from '../protocol/experiment';
import { BACKEND_CHOICES, type BackendChoice, type DatasetChoice } from '../protocol/training';
import { defaultBackendDir } from '../training/tfjs/backendInstall';
import { runQueue } from '../training/experiment/queue';
import { writeResultFiles } from '../training/experiment/resultFiles';
import { createExperiment, readState, stateFile } from '../training/experiment/state';
import { TrainingError } from '../training/trainingError';
import { CliError } from './cliError';
import { formatDiagnostic } from './formatDiagnostic';
import { wholeNumber } from './numberArgument';
import type { Output } from './output';
import { readSource } from './readSource';

export const experimentHelp = `Usage: resnet-studio experiment FILE [--name NAME] [--dataset mnist|cifar10|synthetic] [--data-dir DIR]
                               [--max-steps N] [--epochs N] [--parallel N] [--threads N] [--order listed|random]
                               [--seed S] [--backend NAME] [--engine tfjs|pytorch] [--python PATH]
                               [--out DIR] [--json]
       resnet-studio experiment --resume DIR [--parallel N] [--threads N] [--python PATH] [--json]

Checks every variant of an \`experiment\` (a grid over a template's parameters and/or a list of
models, each once per seed) and trains them in a queue, each in its own worker process and its own
run folder under <out>/<experiment>/, beside the queue's state file experiment.json. Prints the
results like the paper's Table 6 (params, MACs, final training and test error, mean ± std over
seeds, the best marked) and writes results.csv and results.md into the experiment's folder.
  --name NAME        which experiment of the file (default: the only one)
  --dataset NAME     train every variant on this data set (default: the recipes', else what fits)
  --data-dir DIR     the folder holding cifar-10-batches-bin
  --max-steps N      stop each run after N steps (overrides the recipes and the experiment's)
  --epochs N         train each run N epochs
  --parallel N       train N runs at a time, each in its own process (default 1)
  --threads N        CPU threads of each run, as train --threads (default: every core)
  --order ORDER      listed (default) or random: shuffled, the same way for the same --seed
  --seed S           the shuffle's seed with --order random (default 1)
  --backend NAME     the TF.js backend of every run (default auto; see train --help)
  --engine NAME      tfjs or pytorch for every run (default: each variant's recipe's \`engine\`,
                     else tfjs with --backend, else the fastest present, as train picks)
  --python PATH      the Python with torch for the runs on PyTorch and auto (default: python3 on PATH);
                     this machine's, never recorded in the experiment's folder
  --out DIR          where the experiment's folder goes (default: runs)
  --resume DIR       continue a stopped or killed experiment (e.g. runs/fig6): finished and failed
                     runs are kept, the interrupted one resumes from its checkpoint, the rest start
  --json             every run's messages as JSON lines, each with "experiment", "variant" and
                     "run"; last {"type":"experimentFinished","results":[…]}
Ctrl+C stops gracefully: the running runs write a checkpoint, and --resume goes on from there.`;

export interface ExperimentOptions {
  readonly name?: string;
  readonly dataset?: string;
  readonly 'data-dir'?: string;
  readonly 'max-steps'?: string;
  readonly epochs?: string;
  readonly parallel?: string;
  readonly threads?: string;
  readonly order?: string;
  readonly seed?: string;
  readonly backend?: string;
  readonly engine?: string;
  readonly python?: string;
  readonly out?: string;
  readonly resume?: string;
  readonly json?: boolean;
}

export async function runExperiment(file: string | undefined, options: ExperimentOptions, out: Output): Promise<number> {
  const parallel = whole(options.parallel, '--parallel', 1) ?? 1;
  const threads = whole(options.threads, '--threads', 1);
  let dir: string;
  if (options.resume !== undefined) {
    if (file) throw new CliError('--resume continues an experiment from its own state file; leave out the file');
    const extra = (['name', 'dataset', 'data-dir', 'max-steps', 'epochs', 'order', 'seed', 'backend', 'engine', 'out'] as const).filter((k) => options[k] !== undefined);
    if (extra.length > 0) throw new CliError(`--resume goes on with the settings the experiment started with; leave out ${extra.map((k) => `--${k}`).join(', ')}`);
    dir = resolve(options.resume);
    guard(() => readState(dir));
  } else {
    if (!file) throw new CliError(`experiment needs a file (or --resume DIR)\n\n${experimentHelp}`);
    dir = start(file, options, out);
  }
  const state = guard(() => readState(dir));
  const todo = state.runs.filter((r) => r.status === 'pending' || r.status === 'running').length;
  const locale = out.locale ?? 'en';
  const queueFacts = { experiment: state.experiment, runs: state.runs.length, todo, stateFile: stateFile(dir) };
  if (!options.json) out.error(parallel > 1 ? format(locale, 'experiment.queueParallel', { ...queueFacts, parallel }) : format(locale, 'experiment.queue', queueFacts));
  const queue = guard(() =>
    runQueue(dir, {
      parallel,
      backendDirs: [defaultBackendDir()],
      ...(out.locale === undefined || options.json ? {} : { locale: out.locale }),
      ...(options.python === undefined ? {} : { python: options.python }),
      ...(threads === undefined ? {} : { threads }),
      onMessage: (run, message) => {
        if (options.json) out.print(JSON.stringify({ ...message, experiment: state.experiment, variant: run.variant, run: run.key }));
        else if (message.type === 'started') {
          const facts = { run: run.key, steps: message.totalSteps, dataset: message.dataset, backend: message.backend, runDir: message.runDir };
          out.error(message.resumedAtStep !== undefined ? format(locale, 'experiment.runResumed', { ...facts, resumedAt: message.resumedAtStep }) : format(locale, 'experiment.runStarted', facts));
        } else if (message.type === 'epoch')
          out.error(
            format(locale, 'experiment.runEpoch', {
              run: run.key,
              epoch: message.epoch,
              step: message.step,
              loss: message.trainLoss.toFixed(3),
              error: ((1 - message.trainAccuracy) * 100).toFixed(2),
            }),
          );
        else if (message.type === 'finished' && !message.stopped) out.error(format(locale, 'experiment.runFinished', { run: run.key, error: ((1 - message.testAccuracy) * 100).toFixed(2) }));
        else if (message.type === 'failed') out.error(format(locale, 'experiment.runFailed', { run: run.key, reason: message.message }));
      },
      onLog: (_run, text) => process.env.RESNET_STUDIO_DEBUG && out.error(text.trimEnd()),
    }),
  );
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    out.error(format(locale, 'experiment.stopping', { dir }));
    queue.stop();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const final = await queue.done;
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  const results = resultsOf(final.runs);
  const written = writeResultFiles(dir, final);
  const rows = written.rows;
  if (options.json) {
    const finished: ExperimentFinished = { type: 'experimentFinished', experiment: final.experiment, stateFile: stateFile(dir), results };
    out.print(JSON.stringify(finished));
  } else {
    out.print(
      resultsTable(
        rows,
        RESULT_COLUMNS.map((column) => format(locale, column)),
      ),
    );
    for (const r of final.runs.filter((run) => run.status === 'failed')) out.error(format(locale, 'experiment.failedAtEnd', { run: r.key, reason: r.message ?? msg('term.noMessage') }));
    out.error(format(locale, 'experiment.resultFiles', { csv: written.csv, markdown: written.markdown }));
  }
  const unfinished = final.runs.filter((r) => r.status !== 'finished');
  if (unfinished.some((r) => r.status === 'pending' || r.status === 'running')) {
    if (!options.json) out.error(format(locale, 'experiment.notFinished', { count: unfinished.filter((r) => r.status !== 'failed').length, dir }));
    return 1;
  }
  return unfinished.length > 0 ? 1 : 0;
}

/** Checks the file, prints what the queue will cost, and creates the experiment's folder and state. */
function start(file: string, options: ExperimentOptions, out: Output): string {
  const sourceText = readSource(file);
  const analysis = analyze(sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new CliError(`${errors.map((d) => formatDiagnostic(file, d)).join('\n')}\nfix these errors before running the experiment`, 1);
  const planned = experimentPlan(analysis, resolve(file), sourceText, options.name);
  if (!planned.ok) throw new CliError(planned.message, 1);
  const { plan } = planned;
  const order = options.order ?? 'listed';
  if (order !== 'listed' && order !== 'random') throw new CliError(`--order takes listed or random, not ${JSON.stringify(order)}`);
  if (options.seed !== undefined && order !== 'random') throw new CliError("--seed shuffles the queue: add --order random (each run's own seed comes from the experiment's `seeds`)");
  const engine = options.engine;
  if (engine !== undefined && engine !== 'tfjs' && engine !== 'pytorch') throw new CliError(`--engine takes tfjs or pytorch, not ${JSON.stringify(engine)}`);
  const backend = options.backend ?? 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) throw new CliError(`--backend takes ${BACKEND_CHOICES.join(', ')}, not ${JSON.stringify(backend)}`);
  let dataset: DatasetChoice | undefined = plan.dataset;
  if (options.dataset !== undefined) {
    const name = options.dataset.toLowerCase().replace(/[-_]/g, '');
    if (!(DATASET_NAMES as readonly string[]).includes(name)) throw new CliError(`--dataset takes ${DATASET_NAMES.join(', ')}, not ${JSON.stringify(options.dataset)}`);
    dataset = name as DatasetChoice;
  }
  if (dataset === undefined) throw new CliError(`the variants of ${plan.experiment} train on different data sets; choose one with --dataset`);
  const settings: QueueSettings = {
    dataset,
    ...(options['data-dir'] === undefined ? {} : { dataDir: resolve(options['data-dir']) }),
    backend: backend as BackendChoice,
    ...(engine === undefined ? {} : { engine }),
    ...optional('epochs', whole(options.epochs, '--epochs', 1)),
    ...optional('maxSteps', whole(options['max-steps'], '--max-steps', 1)),
    order,
    ...optional('orderSeed', order === 'random' ? (whole(options.seed, '--seed', 0) ?? 1) : undefined),
  };
  const experiment = analysis.experiments.find((e) => e.name === plan.experiment);
  if (experiment && !options.json) {
    const cost = experimentCost(experiment);
    out.error(
      format(out.locale ?? 'en', 'experiment.cost', {
        experiment: plan.experiment,
        variants: experiment.variants.length,
        runs: plan.runs.length,
        macs: formatPaperUnits(cost.trainingMacs),
        memory: formatBytes(cost.largestMemoryBytes),
        largest: cost.largestMemoryVariant ?? '–',
      }),
    );
  }
  return guard(() => createExperiment(plan, settings, resolve(options.out ?? 'runs')));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A TrainingError (a damaged state file, a folder in use) becomes a CLI error with its message. */
function guard<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof TrainingError) throw new CliError(error.message, 1);
    throw error;
  }
}

function whole(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = wholeNumber(text);
  if (n === undefined || n < min) throw new CliError(`${flag} takes a whole number of at least ${min}, not ${JSON.stringify(text)}`);
  return n;
}
