// A TF.js training run in this process, to the end, with every message it emitted: what the run
// folder tests look at (test/training/runFolder*.test.ts).
import type { TrainingMessage } from '../../src/protocol/training';
import { train, type TrainStart } from '../../src/training/tfjs/trainer';

export async function collect(start: TrainStart): Promise<TrainingMessage[]> {
  const messages: TrainingMessage[] = [];
  await train(start, { emit: (m) => messages.push(m), shouldStop: () => false });
  return messages;
}
