// The min/max summaries (src/core/metrics/minMaxEnvelope.ts) of the columns the page draws, one
// per column, built once and extended as the column grows. A growing typed column hands out a new
// view as it grows; the summary is kept per column (`columnKey`). A run's history may bring its
// loss and learning-rate summaries from the extension (`adoptEnvelope`): then the page never walks
// those million steps itself.
import { columnKey } from '../../src/core/metrics/column';
import { Envelope, type EnvelopeLevels, type Values } from '../../src/core/metrics/minMaxEnvelope';

export { Envelope };

const summaries = new WeakMap<object, Envelope>();

/** The summary of `y`, brought up to its length (built once per column, then extended). */
export function envelopeOf(y: Values): Envelope {
  const key = columnKey(y);
  let envelope = summaries.get(key);
  // A column shorter than its summary was changed in place after all: summarise it afresh.
  if (!envelope || envelope.length > y.length) summaries.set(key, (envelope = new Envelope()));
  envelope.extend(y);
  return envelope;
}

/** Takes `levels`, built by the extension for the first `n` values of `y`, as the summary of `y`. Throws when they do not fit (checkLevels). */
export function adoptEnvelope(y: Values, levels: EnvelopeLevels): void {
  summaries.set(columnKey(y), Envelope.adopt(levels, y.length));
}
