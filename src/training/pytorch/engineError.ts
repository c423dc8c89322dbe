// A problem with the PyTorch engine that a person can fix (no torch, a bad flag, a runner that
// failed): its message says what went wrong and what to do, and is shown without a stack trace.
import { TrainingError } from '../runSetup';

export class PyTorchEngineError extends TrainingError {
  override readonly name = 'PyTorchEngineError';
}
