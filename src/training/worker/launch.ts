// Starts a training worker process and relays its messages: used by the CLI and the extension.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTrainingMessage, type TrainingMessage, type WorkerCommand } from '../../protocol/training';

export interface WorkerHandle {
  readonly process: ChildProcess;
  /** Asks for a graceful stop: the worker checkpoints after its current step and finishes. */
  stop(): void;
  /** Resolves with the exit code once the worker is gone. */
  readonly exited: Promise<number>;
}

/** The bundled worker next to this code (dist/worker.cjs), or its TypeScript source under tsx. */
export function workerEntry(): { path: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'worker.cjs');
  if (existsSync(bundled)) return { path: bundled, execArgv: [] };
  return { path: join(here, 'main.ts'), execArgv: ['--import', 'tsx'] };
}

/**
 * How a worker that did not finish ended, for a person: killed by a signal (the out-of-memory
 * killer, `kill`) is named by it, not by the 128 a shell would show; otherwise its exit code.
 */
export function howWorkerEnded(code: number, signal: NodeJS.Signals | null | undefined): string {
  if (signal) return `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or killed by hand)' : ''}`;
  return `exited (code ${code})`;
}

export function launchWorker(
  command: WorkerCommand,
  onMessage: (message: TrainingMessage) => void,
  options: { onLog?: (line: string) => void; onMalformed?: (value: unknown, reason: string) => void; entry?: { path: string; execArgv: string[] } } = {},
): WorkerHandle {
  const entry = options.entry ?? workerEntry();
  const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.on('message', (raw) => {
    const checked = checkTrainingMessage(raw);
    if (checked.ok) onMessage(checked.value);
    else options.onMalformed?.(raw, checked.error);
  });
  const log = (chunk: Buffer) => options.onLog?.(chunk.toString());
  child.stdout?.on('data', log);
  child.stderr?.on('data', log);
  child.send(command);
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return { process: child, stop: () => child.connected && child.send({ type: 'stop' } satisfies WorkerCommand), exited };
}
