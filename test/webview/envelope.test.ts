// The min/max summary behind the dashboard's decimation (webview/dashboard/envelope.ts): the
// extremes it reports for any index range are those of a walk over the values, while the column
// grows a few values at a time (a live run), with gaps (null) and ties.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envelopeOf } from '../../webview/dashboard/envelope';
import { walkExtremes as walk } from '../helpers/extremesWalk';

test('the extremes of any range are those of a walk over it, as the column grows', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const y: (number | null)[] = [];
  for (let round = 0; round < 60; round++) {
    // Appends of uneven sizes, some crossing many buckets; values rounded so that ties happen, some gaps.
    const add = Math.floor(random() * (round % 7 === 0 ? 5000 : 90));
    for (let i = 0; i < add; i++) y.push(random() < 0.05 ? null : Math.round(random() * 50));
    const envelope = envelopeOf(y);
    assert.ok(envelope.length <= y.length);
    for (let q = 0; q < 40 && y.length > 0; q++) {
      const from = Math.floor(random() * y.length);
      const to = from + 1 + Math.floor(random() * (y.length - from));
      assert.deepEqual(envelope.extremes(y, from, to), walk(y, from, to), `[${from}, ${to}) of ${y.length}`);
    }
  }
  // A range of gaps only has no extremes.
  const gaps = new Array<number | null>(100).fill(null);
  assert.deepEqual(envelopeOf(gaps).extremes(gaps, 0, 100), { lo: -1, hi: -1 });
});

test('a column replaced by a shorter one is summarised afresh', () => {
  const y = Array.from({ length: 1000 }, (_, i) => i);
  assert.deepEqual(envelopeOf(y).extremes(y, 0, 1000), { lo: 0, hi: 999 });
  // Not how the dashboard's columns change (they only grow), but a summary must not outlive its values.
  y.length = 500;
  y.reverse();
  assert.deepEqual(envelopeOf(y).extremes(y, 0, 500), { lo: 499, hi: 0 });
});
