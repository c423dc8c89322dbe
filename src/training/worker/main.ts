// The training worker: a Node process of its own (never the editor's extension host). Its parent
// sends one WorkerCommand over IPC ('start' or 'resume', later maybe 'stop'); it answers with
// TrainingMessages and exits. SIGINT/SIGTERM or 'stop' stop it gracefully at the next step.
import { availableParallelism } from 'node:os';
import { checkWorkerCommand, type TrainingMessage, type TrainRequest, type WorkerCommand } from '../../protocol/training';
import { DatasetError } from '../data/dataset';
import { analyze } from '../../core/analysis/analyze';
import { checkProfileCommand, isProfileCommand, type ProfileReply } from '../../protocol/profile';
import { selectBackend } from '../tfjs/backend';
import { profileLayers } from '../tfjs/profileLayers';
import { train, type TrainStart } from '../tfjs/trainer';
import { TrainingError } from '../runSetup';
import { pytorchStartFor } from '../pytorch/dispatch';
import { PyTorchEngineError } from '../pytorch/engineError';
import { trainWithPyTorch } from '../pytorch/trainWithPyTorch';
import { chooseEngine } from '../engineChoice';
import { format } from '../../core/l10n/format';
import type { Locale } from '../../core/l10n/locale';

let stopRequested = false;

function send(message: TrainingMessage): void {
  if (process.send) process.send(message);
  else process.stdout.write(`${JSON.stringify(message)}\n`);
}

function requestStop(): void {
  // A second request means "now": the last finished epoch's checkpoint is already on disk.
  if (stopRequested) process.exit(130);
  stopRequested = true;
}

async function run(command: WorkerCommand): Promise<void> {
  const start: TrainStart | undefined =
    command.type === 'start'
      ? { kind: 'new', request: command.request }
      : command.type === 'resume'
        ? { kind: 'resume', runDir: command.runDir, backend: command.backend, backendDirs: command.backendDirs, epochs: command.epochs, maxSteps: command.maxSteps, threads: command.threads }
        : undefined;
  if (!start) return;
  const locale = command.type === 'stop' ? 'en' : (command.locale ?? 'en');
  try {
    const hooks = { emit: send, shouldStop: () => stopRequested, locale };
    const onLog = (text: string) => process.stderr.write(text);
    if (command.type === 'start' && command.request.engine === 'auto') {
      // Nobody chose: the fastest engine present, and the run folder records which.
      const choice = await chooseEngine(command.request, locale);
      const chosen = { ...hooks, engineChoice: { text: choice.text, ...(choice.engine === 'tfjs' ? { backend: choice.backend } : {}) } };
      if (choice.engine === 'pytorch') await trainWithPyTorch({ kind: 'new', request: { ...command.request, engine: 'pytorch' } }, chosen, { onLog });
      else await train({ kind: 'new', request: everyCore({ ...command.request, engine: 'tfjs' }) }, chosen);
      return;
    }
    // A run started with `engine: 'pytorch'`, or a run folder whose config.json says so, goes to Python.
    const pytorch = pytorchStartFor(command);
    if (pytorch) await trainWithPyTorch(pytorch, hooks, { onLog });
    else await train(start.kind === 'new' ? { ...start, request: everyCore(start.request) } : { ...start, threads: start.threads ?? availableParallelism() }, hooks);
  } catch (error) {
    send({ type: 'failed', message: describeFailure(error, locale) });
    process.exitCode = 1;
  }
}

/** A TF.js run started here trains on every core unless its request says how many (`--threads`, the setting). */
function everyCore(request: TrainRequest): TrainRequest {
  return { ...request, threads: request.threads ?? availableParallelism() };
}

/** Why a run failed, for a person, in `locale` where the catalogue has the message (a BackendError is already in it). */
export function describeFailure(error: unknown, locale: Locale = 'en'): string {
  if (error instanceof TrainingError) return error.say(locale);
  if (error instanceof PyTorchEngineError) return error.message;
  if (error instanceof DatasetError) return error.message.replace(/\n/g, ' ');
  const message = error instanceof Error ? error.message : String(error);
  // Unexpected: keep the details for the log, give the person the gist.
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return format(locale, 'worker.unexpected', { message });
}

process.on('SIGINT', requestStop);
process.on('SIGTERM', requestStop);
/** `resnet-studio profile --engine tfjs`: time every layer on the chosen backend, answer once. */
async function profile(raw: unknown): Promise<void> {
  const reply = (message: ProfileReply) => (process.send ? process.send(message) : process.stdout.write(`${JSON.stringify(message)}\n`));
  const checked = checkProfileCommand(raw);
  if (!checked.ok) {
    reply({ type: 'profileFailed', message: `the worker was sent a malformed profile command (${checked.error}); this is a bug in whatever started it` });
    process.exitCode = 2;
    return;
  }
  const command = checked.value;
  try {
    const model = analyze(command.sourceText).models.find((m) => m.name === command.modelName);
    if (!model) throw new TrainingError(`the source has no model named ${command.modelName}`);
    const backend = await selectBackend(command.backend, command.backendDirs);
    const layers = await profileLayers(model, command.batch, command.repeats);
    reply({ type: 'profiled', backend: backend.name, device: backend.device, layers });
  } catch (error) {
    reply({ type: 'profileFailed', message: describeFailure(error).replace(/^training stopped by/, 'profiling stopped by') });
    process.exitCode = 1;
  }
}

/** A command that does not fit its schema is refused with a message naming the field; nothing runs. */
function refuse(error: string): void {
  send({ type: 'failed', message: `the training worker was sent a malformed command (${error}); this is a bug in whatever started it` });
  process.exitCode = 2;
}

process.on('message', (raw: unknown) => {
  if (isProfileCommand(raw)) {
    void profile(raw).then(() => process.disconnect?.());
    return;
  }
  const checked = checkWorkerCommand(raw);
  if (!checked.ok) {
    refuse(checked.error);
    process.disconnect?.();
    return;
  }
  const command = checked.value;
  if (command.type === 'stop') requestStop();
  else void run(command).then(() => process.disconnect?.());
});
// Without a parent (run by hand), the command comes as JSON in the first argument.
if (!process.send && process.argv[2]) {
  let value: unknown;
  try {
    value = JSON.parse(process.argv[2]);
  } catch (error) {
    value = undefined;
    refuse(`not JSON: ${(error as Error).message}`);
  }
  if (value !== undefined) {
    const checked = checkWorkerCommand(value);
    if (checked.ok) void run(checked.value);
    else refuse(checked.error);
  }
}
