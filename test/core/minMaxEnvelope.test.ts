// The min/max summary's levels as the extension sends them with a run's history and the page takes
// them (src/core/metrics/minMaxEnvelope.ts): a summary taken from levels reports the same extremes
// as a walk over the values, also after the column grew past it; levels that do not fit the
// column (levels missing, a bucket too many, an index outside its bucket) are refused by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLevels, consecutiveSteps, Envelope, envelopeLevels } from '../../src/core/metrics/minMaxEnvelope';
import { walkExtremes as walk } from '../helpers/extremesWalk';

test('a summary taken from sent levels reports the extremes of a walk, and extends as the column grows', () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const all = Float64Array.from({ length: 70_001 }, () => Math.round(random() * 1000));
  const sent = all.subarray(0, 50_003);
  const levels = envelopeLevels(sent);
  assert.equal(checkLevels(levels, sent.length), undefined);
  const taken = Envelope.adopt(levels, sent.length);
  for (let t = 0; t < 300; t++) {
    const a = Math.floor(random() * sent.length);
    const b = a + 1 + Math.floor(random() * (sent.length - a));
    assert.deepEqual(taken.extremes(sent, a, b), walk(sent, a, b), `[${a}, ${b})`);
  }
  // The page appends live steps to the column: the taken summary extends like one it built.
  taken.extend(all);
  for (let t = 0; t < 300; t++) {
    const a = Math.floor(random() * all.length);
    const b = a + 1 + Math.floor(random() * (all.length - a));
    assert.deepEqual(taken.extremes(all, a, b), walk(all, a, b), `[${a}, ${b}) after growing`);
  }
  assert.deepEqual(taken.levels(), envelopeLevels(all));
});

test('levels that do not fit the column are refused, saying why', () => {
  const y = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i));
  const good = envelopeLevels(y);
  // 100 values: 6 buckets of 16, 3 of 32, 1 of 64.
  assert.deepEqual(
    good.lows.map((l) => l.length),
    [6, 3, 1],
  );
  assert.match(checkLevels(good, 200) ?? '', /3 levels for 200 values, expected 4/);
  assert.match(checkLevels({ lows: good.lows, highs: good.highs.slice(0, 2) }, 100) ?? '', /3 levels of lowest values but 2 of highest/);
  const longer = [good.lows[0] as Int32Array, Int32Array.from([...(good.lows[1] as Int32Array), 70]), good.lows[2] as Int32Array];
  assert.match(checkLevels({ lows: longer, highs: good.highs }, 100) ?? '', /level 1 has 4 lowest values' indices, expected 3/);
  const outside = good.highs.map((h) => h.slice());
  (outside[1] as Int32Array)[2] = 10;
  assert.match(checkLevels({ lows: good.lows, highs: outside }, 100) ?? '', /level 1, bucket 2: index 10 is outside the bucket/);
  assert.throws(() => Envelope.adopt({ lows: longer, highs: good.highs }, 100), /does not fit its 100 values: level 1 has 4/);
  // A column too short for one bucket still has its (empty) first level.
  assert.equal(checkLevels(envelopeLevels(new Float64Array(5)), 5), undefined);
  assert.equal(checkLevels({ lows: [], highs: [] }, 5), '0 levels for 5 values, expected 1');
});

test('consecutive steps: each one more than the one before, from a whole step of at least 1', () => {
  assert.equal(consecutiveSteps([]), true);
  assert.equal(consecutiveSteps([1, 2, 3]), true);
  assert.equal(consecutiveSteps([5001, 5002]), true);
  assert.equal(consecutiveSteps([1, 2, 4]), false);
  assert.equal(consecutiveSteps([0, 1, 2]), false);
  assert.equal(consecutiveSteps([1.5, 2.5]), false);
  assert.equal(consecutiveSteps([2, 2]), false);
});
