import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, type RandomState } from '../../src/training/random';

const draw = (r: Random, n: number): number[] => Array.from({ length: n }, () => r.nextUint32());

test('sfc32 step matches the reference algorithm (C implementation, state 1,2,3,4)', () => {
  const r = Random.fromState({ algorithm: 'sfc32', words: [1, 2, 3, 4] });
  assert.deepEqual(draw(r, 3), [7, 34, 56623200]);
});

test('seeding is pinned: old checkpoints and splits stay reproducible', () => {
  assert.deepEqual(draw(new Random(42), 3), [901064401, 3452293495, 1956751233]);
});

test('same seed gives the same sequence, nearby seeds differ', () => {
  assert.deepEqual(draw(new Random(7), 50), draw(new Random(7), 50));
  const a = draw(new Random(7), 50);
  const b = draw(new Random(8), 50);
  assert.ok(a.filter((x, i) => x === b[i]).length < 2);
  assert.notDeepEqual(draw(new Random(2 ** 40), 5), draw(new Random(0), 5));
});

test('state saved as JSON and restored continues the exact sequence', () => {
  const r = new Random(123);
  draw(r, 1000);
  r.shuffle([1, 2, 3, 4, 5]);
  const saved = JSON.stringify(r.getState());
  const expected = [...draw(r, 20), r.nextFloat(), r.nextInt(17)];

  const resumed = Random.fromState(JSON.parse(saved) as RandomState);
  assert.deepEqual([...draw(resumed, 20), resumed.nextFloat(), resumed.nextInt(17)], expected);

  const other = new Random(999);
  other.setState(JSON.parse(saved) as RandomState);
  assert.deepEqual(draw(other, 20), expected.slice(0, 20));
});

test('setState rejects damaged state with a message', () => {
  const r = new Random(1);
  const bad = [
    { algorithm: 'sfc32', words: [1, 2, 3] },
    { algorithm: 'mt', words: [1, 2, 3, 4] },
    { algorithm: 'sfc32', words: [1, 2, 3, -4] },
    { algorithm: 'sfc32', words: [1, 2, 3, 2 ** 32] },
    null,
  ];
  for (const state of bad) {
    assert.throws(() => r.setState(state as unknown as RandomState), /checkpoint's random state is damaged/);
  }
});

test('nextFloat is in [0,1) with mean near 1/2', () => {
  const r = new Random(5);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const x = r.nextFloat();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01, `mean ${sum / 20000}`);
});

test('nextInt covers [0,n) uniformly and validates n', () => {
  const r = new Random(11);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[r.nextInt(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `bucket ${c}`);
  assert.equal(r.nextInt(1), 0);
  assert.throws(() => r.nextInt(0), RangeError);
  assert.throws(() => r.nextInt(2.5), RangeError);
});

test('shuffle is a deterministic permutation, on arrays and typed arrays', () => {
  const a = new Random(3).shuffle(Array.from({ length: 100 }, (_, i) => i));
  const b = new Random(3).shuffle(Float32Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(Array.from(b), a);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.notDeepEqual(
    a,
    Array.from({ length: 100 }, (_, i) => i),
  );

  // Every ordering of three items shows up, roughly equally often.
  const r = new Random(4);
  const seen = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const key = r.shuffle(['a', 'b', 'c']).join('');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.equal(seen.size, 6);
  for (const n of seen.values()) assert.ok(Math.abs(n - 1000) < 150, `permutation count ${n}`);
});
