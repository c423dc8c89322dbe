// The dashboard's growable typed column (webview/dashboard/column.ts): values kept across growth,
// a history's array taken without a copy and never written to, one identity across its views.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnKey, GrowableColumn, isConsecutive } from '../../src/core/metrics/column';
import { commonSteps } from '../../webview/dashboard/align';
import { envelopeOf } from '../../webview/dashboard/envelope';

test('values pushed past the capacity are all kept, in order', () => {
  const column = new GrowableColumn();
  for (let i = 0; i < 5000; i++) column.push(i * 0.5);
  assert.equal(column.length, 5000);
  assert.equal(column.values.length, 5000);
  assert.deepEqual(
    Array.from(column.values),
    Array.from({ length: 5000 }, (_, i) => i * 0.5),
  );
  assert.equal(column.last(-1), 2499.5);
  assert.equal(new GrowableColumn().last(-1), -1);
});

test("a history's array is the column (no copy) and appending never writes into it", () => {
  const history = Float64Array.from([1, 2, 3]);
  const column = new GrowableColumn(history);
  assert.equal(column.values.buffer, history.buffer, 'the same memory');
  column.push(4);
  assert.deepEqual(Array.from(column.values), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(history), [1, 2, 3], 'the message keeps its values');
});

test('every view of a column has its key; a view taken before growth keeps its values', () => {
  const column = new GrowableColumn();
  for (let i = 0; i < 1000; i++) column.push(i);
  const before = column.values;
  for (let i = 1000; i < 3000; i++) column.push(i);
  const after = column.values;
  assert.notEqual(before, after);
  assert.equal(columnKey(before), columnKey(after));
  assert.equal(columnKey(after), column);
  assert.equal(before.length, 1000);
  assert.equal(before[999], 999);
  const plain = [1, 2];
  assert.equal(columnKey(plain), plain, 'a plain array is its own key');
});

test("a column's min/max summary is kept as it grows (extended, not rebuilt per view)", () => {
  const column = new GrowableColumn();
  for (let i = 0; i < 4096; i++) column.push(Math.sin(i));
  const summary = envelopeOf(column.values);
  for (let i = 4096; i < 9000; i++) column.push(Math.sin(i));
  assert.equal(envelopeOf(column.values), summary);
  assert.equal(summary.length, 8992);
  const { lo, hi } = summary.extremes(column.values, 0, 9000);
  const values = Array.from(column.values);
  assert.equal(column.values[lo], Math.min(...values));
  assert.equal(column.values[hi], Math.max(...values));
  assert.deepEqual([column.prefix(10).length, columnKey(column.prefix(10).values) === column], [10, false]);
});

test('a column knows whether it holds consecutive steps, and runs of them compare without a walk', () => {
  const steps = new GrowableColumn();
  for (let s = 1; s <= 5000; s++) steps.push(s);
  assert.equal(steps.consecutive, true);
  assert.equal(isConsecutive(steps.values), true);
  steps.push(5002);
  assert.equal(steps.consecutive, false, 'a step skipped');
  assert.equal(new GrowableColumn(Float64Array.of(1, 2, 3)).consecutive, false, 'not known unless told');
  assert.equal(new GrowableColumn(Float64Array.of(1, 2, 3), true).consecutive, true);
  const zero = new GrowableColumn();
  zero.push(0);
  assert.equal(zero.consecutive, false, 'steps start at 1');
  // Two runs of consecutive steps from the same first step share x; from another first step they do not.
  const a = new GrowableColumn(
    Float64Array.from({ length: 100 }, (_, i) => i + 1),
    true,
  );
  const b = new GrowableColumn(
    Float64Array.from({ length: 60 }, (_, i) => i + 1),
    true,
  );
  const c = new GrowableColumn(
    Float64Array.from({ length: 60 }, (_, i) => i + 2),
    true,
  );
  assert.equal(
    commonSteps([
      { x: a.values, ys: [] },
      { x: b.values, ys: [] },
    ])?.x,
    a.values,
  );
  assert.equal(
    commonSteps([
      { x: a.values, ys: [] },
      { x: c.values, ys: [] },
    ]),
    undefined,
  );
});

test('columns of the steps 1…n share one array, and take their own at a value off the pattern', () => {
  const a = new GrowableColumn(
    Float64Array.from({ length: 3000 }, (_, i) => i + 1),
    true,
  );
  const b = new GrowableColumn();
  for (let s = 1; s <= 5000; s++) b.push(s);
  const before = b.values;
  assert.equal(a.values.buffer, b.values.buffer, 'one array for both');
  assert.deepEqual([a.values[0], a.values[2999], a.length, b.values[4999], b.length], [1, 3000, 3000, 5000, 5000]);
  // Past the shared array's end: a longer one, with the same values.
  for (let s = 3001; s <= 20_000; s++) a.push(s);
  assert.deepEqual([a.values[19_999], a.length, a.consecutive], [20_000, 20_000, true]);
  // A resume's step off the pattern: b takes its own array; what a and b showed before is unchanged.
  b.push(4000);
  assert.notEqual(b.values.buffer, a.values.buffer);
  assert.deepEqual([b.values[4999], b.values[5000], b.length, b.consecutive], [5000, 4000, 5001, false]);
  assert.equal(before[4999], 5000);
  assert.equal(a.values[4999], 5000, 'the shared array was not written to');
  // A prefix of shared steps shares too; a column of other values (a loss) never does.
  assert.equal(a.prefix(10).values.buffer, a.values.buffer);
  const loss = new GrowableColumn();
  loss.push(0.5);
  assert.notEqual(loss.values.buffer, a.values.buffer);
});
