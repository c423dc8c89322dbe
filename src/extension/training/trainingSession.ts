// The one training worker the extension runs at a time, and what it reports. Plain TypeScript:
// the editor parts (status bar, notification, dashboard) listen to it.
import type { TrainingMessage, WorkerCommand } from '../../protocol/training';
import { describeDropped, type SessionState } from '../../protocol/webview';
import { howWorkerEnded, launchWorker } from '../../training/worker/launch';
import { RunProgress } from './runProgress';

export type Launch = typeof launchWorker;

export interface SessionHooks {
  /** A message from the worker; `runDir` is known from its 'started' message on. */
  message(runDir: string | undefined, message: TrainingMessage, progress: RunProgress): void;
  /** The session started, began stopping, or ended (then `ending` says how the worker ended, for a person). */
  state(state: SessionState, runDir: string | undefined, progress: RunProgress, ending?: string): void;
  /** The worker's own output and anything it sent that was not a message. */
  log(level: 'info' | 'warn', text: string): void;
}

interface Current {
  readonly label: string;
  readonly handle: ReturnType<Launch>;
  readonly progress: RunProgress;
  runDir?: string | undefined;
  stopping: boolean;
}

export class TrainingSession {
  private current?: Current | undefined;

  constructor(
    private readonly hooks: SessionHooks,
    private readonly launch: Launch = launchWorker,
  ) {}

  get state(): SessionState {
    return !this.current ? 'idle' : this.current.stopping ? 'stopping' : 'running';
  }

  get runDir(): string | undefined {
    return this.current?.runDir;
  }

  /** What the run is called until it has a folder: the model's name, or the folder resumed. */
  get label(): string | undefined {
    return this.current?.label;
  }

  get progress(): RunProgress | undefined {
    return this.current?.progress;
  }

  /** Starts the worker; resolves with its exit code once it is gone. Refuses while one runs. */
  start(command: WorkerCommand, label: string): Promise<number> {
    if (this.current) throw new Error(`${this.current.label} is still training; stop it first`);
    const progress = new RunProgress();
    const current: Current = {
      label,
      progress,
      stopping: false,
      runDir: command.type === 'resume' ? command.runDir : undefined,
      handle: this.launch(
        command,
        (message) => {
          if (message.type === 'started') current.runDir = message.runDir;
          progress.add(message);
          this.hooks.message(current.runDir, message, progress);
          if (message.type === 'started') this.hooks.state(this.state, current.runDir, progress);
        },
        {
          onLog: (text) => this.hooks.log('info', `worker: ${text.trimEnd()}`),
          onMalformed: (value, reason) => this.hooks.log('warn', `worker sent a malformed message, dropped: ${describeDropped(value)}${reason ? ` (${reason})` : ''}`),
        },
      ),
    };
    this.current = current;
    this.hooks.state('running', current.runDir, progress);
    return current.handle.exited.then((code) => {
      if (this.current === current) this.current = undefined;
      this.hooks.state('idle', current.runDir, progress, howWorkerEnded(code, current.handle.process.signalCode));
      return code;
    });
  }

  /** Asks the worker to stop after its current step (it writes a checkpoint first). */
  stop(): boolean {
    const current = this.current;
    if (!current || current.stopping) return false;
    current.stopping = true;
    current.handle.stop();
    this.hooks.state('stopping', current.runDir, current.progress);
    return true;
  }

  /** Resolves once no worker runs (at once when none does). */
  async idle(): Promise<void> {
    await this.current?.handle.exited;
  }

  dispose(): void {
    // Graceful: the run keeps its last step in a checkpoint and can be resumed.
    this.current?.handle.stop();
  }
}
