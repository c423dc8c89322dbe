// `resnet-studio train`: trains a model in a worker process and shows its progress.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../core/analysis/analyze';
import { noModelNamed } from '../core/report/modelChoice';
import { printable } from '../core/report/printable';
import { BACKEND_CHOICES, PRECISIONS, PYTORCH_DEVICES, type BackendChoice, type DatasetChoice, type FailedMessage, type TrainingMessage, type WorkerCommand } from '../protocol/training';
import { startFitWarning } from '../core/report/costLines';
import { parseMemoryBudget } from './costOptions';
import { DATASET_NAMES } from '../training/data/index';
import { defaultDataset } from '../training/runSetup';
import { defaultBackendDir } from '../training/tfjs/backendInstall';
import { engineOfRun } from '../training/runFolder/runFolder';
import { howWorkerEnded, launchWorker } from '../training/worker/launch';
import { CliError } from './cliError';
import { countOption, wholeNumber } from './numberArgument';
import { BATCH_SIZE } from '../core/optionRules';
import { formatDiagnostic } from './formatDiagnostic';
import type { Output } from './output';
import { ProgressView } from './progress';
import { readSource } from './readSource';

export const trainHelp = `Usage: resnet-studio train FILE [--model NAME] [--dataset mnist|cifar10|synthetic] [--data-dir DIR]
                          [--epochs N] [--max-steps N] [--batch-size N] [--memory-budget MIB]
                          [--backend auto|tfjs-node-gpu|webgpu|tfjs-node|wasm|cpu] [--out DIR] [--seed N] [--json]
                          [--threads N] [--verbose] [--engine tfjs|pytorch] [--python PATH] [--nproc-per-node N]
                          [--nnodes N --rdzv-endpoint HOST:PORT]
                          [--device auto|cuda|mps|cpu] [--precision fp32|bf16|fp16] [--channels-last]
       resnet-studio train --resume RUNDIR [--epochs N] [--max-steps N] [--backend …] [--threads N] [--python PATH]
                          [--nproc-per-node N] [--nnodes N --rdzv-endpoint HOST:PORT]
                          [--device …] [--precision …] [--channels-last] [--json]

Trains a model with its recipe (the paper's CIFAR recipe where the file says nothing) in a
separate process. Each run is a folder (runs/<time>-<model>/ by default) with config.json,
metrics.jsonl, a checkpoint per epoch and the final model in TF.js format.
  --model NAME       which model of the file (default: the only or first one)
  --dataset NAME     mnist (built in), cifar10 (needs --data-dir), synthetic (quick tests);
                     default: the recipe's, else the one that fits the model's input
  --data-dir DIR     the folder holding cifar-10-batches-bin
  --epochs N         train N epochs (overrides the recipe)
  --max-steps N      stop after N optimizer steps
  --batch-size N     override the recipe's batch size
  --memory-budget MIB  warn before starting when a training step at this batch needs more memory
                     on the engine that runs it
  --backend NAME     a TF.js backend: tfjs-node-gpu, webgpu (also on a software GPU, SwiftShader),
                     tfjs-node, wasm or cpu; auto: the first that starts of webgpu on a hardware
                     GPU, tfjs-node-gpu, tfjs-node, wasm, cpu
  --threads N        CPU threads, at most this machine's cores (default: every core). TF.js on wasm
                     or cpu trains each batch in N slices at once (data-parallel; BatchNorm
                     normalises each slice by its own statistics, as PyTorch's DDP does); PyTorch:
                     torch.set_num_threads. Never taken from a run folder: give it again with --resume
  --out DIR          where run folders go (default: runs)
  --resume RUNDIR    continue a stopped or crashed run from its last checkpoint
  --seed N           random seed (default: the recipe's, 1)
  --json             print every message as one JSON object per line
  --verbose          also print why this engine: every candidate auto checked, and what it found
  --engine NAME      tfjs: TensorFlow.js in Node; pytorch: PyTorch in Python (the run folder holds
                     model.py, and checkpoints as .safetensors: tensors, never pickles). Default:
                     the recipe's \`engine\`, else (no --backend either) the fastest present:
                     PyTorch on CUDA or MPS, TF.js webgpu on a hardware GPU, tfjs-node-gpu,
                     PyTorch on the CPU, tfjs-node, wasm
  --python PATH      the Python that has torch (default: python3 on PATH), for --engine pytorch
                     and for auto; never taken from a run folder, so give it again with --resume
  --device NAME      --engine pytorch: auto (default: cuda, else mps, else cpu), cuda, mps or cpu
  --precision NAME   --engine pytorch: fp32 (default, as in the paper), bf16 or fp16 autocast
                     (fp16: CUDA only, with a GradScaler); overrides the recipe's \`precision\`
  --channels-last    --engine pytorch: NHWC memory layout (torch.channels_last), for Tensor Cores
  --nproc-per-node N --engine pytorch: N processes on this machine (torchrun, DDP; one per GPU),
                     at most its CPUs; the recipe's batch is the batch of all processes together,
                     as in the paper. Never taken from a run folder, nor are --nnodes and
                     --rdzv-endpoint: give them again with --resume
  --nnodes N         --engine pytorch: N machines, each running this command
  --rdzv-endpoint H:P --engine pytorch: host:port of the first machine, the same on every machine
Ctrl+C stops gracefully (a checkpoint is written); a second Ctrl+C stops at once.`;

export interface TrainOptions {
  readonly model?: string;
  readonly dataset?: string;
  readonly 'data-dir'?: string;
  readonly epochs?: string;
  readonly 'max-steps'?: string;
  readonly 'batch-size'?: string;
  readonly backend?: string;
  readonly out?: string;
  readonly resume?: string;
  readonly seed?: string;
  readonly json?: boolean;
  readonly 'memory-budget'?: string;
  readonly engine?: string;
  readonly python?: string;
  readonly 'nproc-per-node'?: string;
  readonly threads?: string;
  readonly nnodes?: string;
  readonly 'rdzv-endpoint'?: string;
  readonly device?: string;
  readonly precision?: string;
  readonly 'channels-last'?: boolean;
  readonly verbose?: boolean;
  /** Not a flag: limits the training images (the demo uses it). */
  readonly trainLimit?: number;
}

export function buildCommand(file: string | undefined, options: TrainOptions): WorkerCommand {
  const epochs = positiveInt(options.epochs, '--epochs');
  const maxSteps = positiveInt(options['max-steps'], '--max-steps');
  const backend = parseBackend(options.backend);
  const engine = parseEngine(options.engine);
  const pytorch = {
    // A path is resolved now, so a resume from another folder finds the same Python.
    python: options.python === undefined ? undefined : /[\\/]/.test(options.python) ? resolve(options.python) : options.python,
    nprocPerNode: positiveInt(options['nproc-per-node'], '--nproc-per-node'),
    threads: positiveInt(options.threads, '--threads'),
    nnodes: positiveInt(options.nnodes, '--nnodes'),
    rdzvEndpoint: options['rdzv-endpoint'],
    device: oneOf(options.device, PYTORCH_DEVICES, '--device'),
    precision: oneOf(options.precision, PRECISIONS, '--precision'),
    channelsLast: options['channels-last'] ? true : undefined,
  };
  const pytorchFlags = Object.entries({
    '--python': pytorch.python,
    '--nproc-per-node': pytorch.nprocPerNode,
    '--nnodes': pytorch.nnodes,
    '--rdzv-endpoint': pytorch.rdzvEndpoint,
    '--device': pytorch.device,
    '--precision': pytorch.precision,
    '--channels-last': pytorch.channelsLast,
  })
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => flag);
  if (options.resume !== undefined) {
    if (file) throw new CliError('--resume continues a run from its own config; leave out the file');
    if (engine !== undefined) throw new CliError('--resume continues a run with the engine it started with; leave out --engine');
    const runDir = resolve(options.resume);
    if (pytorchFlags.length > 0 && engineOfRun(runDir) === 'tfjs') throw new CliError(`${pytorchFlags.join(', ')}: ${runDir} was trained with TF.js; these flags are for PyTorch runs`);
    return { type: 'resume', runDir, backend, backendDirs: [defaultBackendDir()], epochs, maxSteps, ...pytorch };
  }
  if (!file) throw new CliError(`train needs a file (or --resume RUNDIR)\n\n${trainHelp}`);
  const sourceText = readSource(file);
  const analysis = analyze(sourceText);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new CliError(`${errors.map((d) => formatDiagnostic(file, d)).join('\n')}\nfix these errors before training`, 1);
  const model = options.model === undefined ? analysis.models[0] : analysis.models.find((m) => m.name === options.model);
  if (!model) {
    throw new CliError(options.model === undefined ? `${file} has no model to train` : noModelNamed(file, options.model, analysis.models), 1);
  }
  // --engine wins over the recipe's `engine`; --backend names a TF.js backend; else `auto`, the
  // fastest engine present, which the worker chooses (src/training/engineChoice.ts) among those
  // that include the PyTorch of --python (else python3 on PATH).
  const chosenEngine = engine ?? model.recipe.engine ?? (backend !== undefined ? 'tfjs' : 'auto');
  const forPyTorchOnly = chosenEngine === 'auto' ? pytorchFlags.filter((flag) => flag !== '--python') : pytorchFlags;
  if (chosenEngine !== 'pytorch' && forPyTorchOnly.length > 0)
    throw new CliError(
      `${forPyTorchOnly.join(', ')} ${forPyTorchOnly.length === 1 ? 'is' : 'are'} for --engine pytorch; add --engine pytorch or leave ${forPyTorchOnly.length === 1 ? 'it' : 'them'} out`,
    );
  if (chosenEngine === 'pytorch' && backend !== undefined) throw new CliError('--backend picks a TF.js backend; with --engine pytorch pick the device with --device (auto: cuda, else mps, else cpu)');
  let dataset: DatasetChoice = defaultDataset(model);
  if (options.dataset !== undefined) {
    const name = options.dataset.toLowerCase().replace(/[-_]/g, '');
    if (!(DATASET_NAMES as readonly string[]).includes(name)) throw new CliError(`--dataset takes ${DATASET_NAMES.join(', ')}, not ${JSON.stringify(options.dataset)}`);
    dataset = name as DatasetChoice;
  }
  return {
    type: 'start',
    request: {
      sourceText,
      sourcePath: resolve(file),
      modelName: model.name,
      dataset,
      dataDir: options['data-dir'] === undefined ? undefined : resolve(options['data-dir']),
      backend: backend ?? 'auto',
      epochs,
      maxSteps,
      // The rule every batch option follows (stats --batch, profile --batch, the summary's setting).
      batchSize: options['batch-size'] === undefined ? undefined : countOption(options['batch-size'], '--batch-size', BATCH_SIZE, 0),
      seed: positiveInt(options.seed, '--seed', 0),
      outDir: writableFolder(resolve(options.out ?? 'runs'), options.out === undefined ? 'the runs folder' : '--out'),
      backendDirs: [defaultBackendDir()],
      trainLimit: options.trainLimit,
      ...(pytorch.threads !== undefined ? { threads: pytorch.threads } : {}),
      ...(chosenEngine === 'pytorch' ? { engine: chosenEngine, ...pytorch } : chosenEngine === 'auto' ? { engine: chosenEngine, python: pytorch.python } : {}),
    },
  };
}

/** Runs the worker to the end; resolves with the exit code. */
export async function runTrain(
  file: string | undefined,
  options: TrainOptions,
  out: Output,
  terminal = { isTTY: Boolean(process.stdout.isTTY), write: (t: string) => void process.stdout.write(t) },
): Promise<number> {
  // The worker says why it failed, and why this backend, in the command line's language (--json stays English).
  const command = { ...buildCommand(file, options), ...(out.locale === undefined || options.json ? {} : { locale: out.locale }) };
  // Before `auto` has chosen, the warning is the TF.js engine's.
  const fit =
    command.type === 'start' ? startFitWarning({ ...command.request, engine: command.request.engine === 'pytorch' ? 'pytorch' : 'tfjs' }, parseMemoryBudget(options['memory-budget'])) : undefined;
  if (fit) out.error(`resnet-studio: warning: ${fit}`);
  const view = new ProgressView(out, options.json ? { isTTY: false, write: () => undefined } : terminal, Date.now, { verbose: options.verbose === true });
  let finished = false;
  let failed = false;
  const worker = launchWorker(
    command,
    (message: TrainingMessage) => {
      if (message.type === 'finished') finished = true;
      if (message.type === 'failed') failed = true;
      if (message.type === 'started' && !options.json) for (const warning of message.warnings ?? []) out.error(`warning: ${warning}`);
      if (options.json) out.print(JSON.stringify(message));
      else view.show(message);
    },
    { onLog: (text) => process.env.RESNET_STUDIO_DEBUG && out.error(text.trimEnd()) },
  );
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      out.error('stopping after this step (a checkpoint is written); press Ctrl+C again to stop at once');
      worker.stop();
    } else worker.process.kill('SIGKILL');
  };
  process.on('SIGINT', onInterrupt);
  const code = await worker.exited;
  process.off('SIGINT', onInterrupt);
  if (failed) return 1;
  if (!finished) {
    const message = `the training worker ${howWorkerEnded(code, worker.process.signalCode)} before finishing; its last finished epoch is in the run folder, continue with --resume`;
    // --json ends with a `failed` message whichever way the run failed.
    if (options.json) out.print(JSON.stringify({ type: 'failed', message } satisfies FailedMessage));
    out.error(`resnet-studio: ${message}`);
    return 1;
  }
  return 0;
}

function oneOf<T extends string>(text: string | undefined, choices: readonly T[], flag: string): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new CliError(`${flag} takes ${choices.join(', ')}, not ${JSON.stringify(text)}`);
  return text as T;
}

/** The folder run folders go into, created and checked now: a CLI error names it, not a failure mid-run. */
function writableFolder(dir: string, what: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file of that name is in the way' : (code ?? String(error));
    throw new CliError(`${what} ${printable(dir)} cannot be written (${reason}); pass --out with a folder you can write to`);
  }
  return dir;
}

function positiveInt(text: string | undefined, flag: string, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = wholeNumber(text);
  if (n === undefined || n < min) throw new CliError(`${flag} takes a whole number of at least ${min}, not ${JSON.stringify(text)}`);
  return n;
}

function parseEngine(text: string | undefined): 'tfjs' | 'pytorch' | undefined {
  if (text === undefined) return undefined;
  if (text !== 'tfjs' && text !== 'pytorch') throw new CliError(`--engine takes tfjs or pytorch, not ${JSON.stringify(text)}`);
  return text;
}

/** `--backend`, checked (train and profile take the same names); undefined when absent. */
export function parseBackend(text: string | undefined): BackendChoice | undefined {
  if (text === undefined) return undefined;
  if (!(BACKEND_CHOICES as readonly string[]).includes(text)) throw new CliError(`--backend takes ${BACKEND_CHOICES.join(', ')}, not ${JSON.stringify(text)}`);
  return text as BackendChoice;
}
