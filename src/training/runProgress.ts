// Where a run stands, folded from its TrainingMessages: the one fold that the CLI's progress line,
// the editor's status bar and notification, and the dashboard's header all render. Host-free (no
// Node, no editor, no DOM), so the webview bundles it too.
import type { BatchMessage, FinishedMessage, StartedMessage, TrainingMessage } from '../protocol/training';

export class RunProgress {
  started?: StartedMessage | undefined;
  /** The latest step reported (a step reported again, e.g. read from the file then live, counts once). */
  lastBatch?: BatchMessage | undefined;
  finished?: FinishedMessage | undefined;
  failure?: string | undefined;
  lastCheckpointStep?: number | undefined;
  /**
   * The first step seen in this process and when: the ETA is the average pace since, evaluation
   * time included. The first step of a process includes compiling kernels; timing from its end is
   * fairer, so the ETA is unknown until a second step arrives.
   */
  private origin?: { readonly step: number; readonly time: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  add(message: TrainingMessage): void {
    switch (message.type) {
      case 'started':
        this.started = message;
        this.finished = undefined;
        this.failure = undefined;
        // A new process: its pace is timed afresh, and a resume starts again from its checkpoint.
        this.origin = undefined;
        this.lastBatch = undefined;
        break;
      case 'batch':
        if (this.lastBatch && message.step <= this.lastBatch.step) return;
        this.lastBatch = message;
        this.origin ??= { step: message.step, time: this.now() };
        break;
      case 'checkpoint':
        this.lastCheckpointStep = message.step;
        break;
      case 'finished':
        this.finished = message;
        break;
      case 'failed':
        this.failure = message.message;
        break;
    }
  }

  /** Forgets everything (a fresh history replaces it). */
  clear(): void {
    this.started = undefined;
    this.lastBatch = undefined;
    this.finished = undefined;
    this.failure = undefined;
    this.lastCheckpointStep = undefined;
    this.origin = undefined;
  }

  /** The last optimizer step done (the checkpoint's, for a resumed run before its first step). */
  get step(): number {
    return this.lastBatch?.step ?? this.started?.resumedAtStep ?? 0;
  }

  /** The epoch in progress, 0-based: the latest step's own, else as far as the steps go. */
  get epoch(): number {
    const started = this.started;
    if (!started) return 0;
    const epoch = this.lastBatch ? this.lastBatch.epoch : Math.floor(this.step / Math.max(1, started.stepsPerEpoch));
    return Math.max(0, Math.min(epoch, started.epochs - 1));
  }

  /** Done so far, 0 to 1. */
  get fraction(): number {
    const total = this.started?.totalSteps;
    return total ? Math.min(1, this.step / total) : 0;
  }

  /** Seconds left at the pace so far; undefined until there is a pace to go by. */
  etaSeconds(): number | undefined {
    const total = this.started?.totalSteps;
    const last = this.lastBatch;
    if (!total || !last || !this.origin || last.step <= this.origin.step) return undefined;
    const seconds = (this.now() - this.origin.time) / 1000;
    if (seconds <= 0) return undefined;
    const stepsPerSecond = (last.step - this.origin.step) / seconds;
    return Math.max(0, (total - last.step) / stepsPerSecond);
  }
}
