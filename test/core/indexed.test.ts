// at(): the one reader of an index the caller has proven in range; a wrong proof is a named error, never undefined.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, IndexOutOfRangeError } from '../../src/core/indexed';

test('at reads an element in range, of arrays and typed arrays, undefined elements included', () => {
  assert.equal(at(['a', 'b', 'c'], 2), 'c');
  assert.equal(at(new Float32Array([0.5, 1.5]), 1), 1.5);
  assert.equal(at([undefined, 1], 0), undefined);
});

test('at throws IndexOutOfRangeError naming what was read, for indices past either end or not whole', () => {
  for (const index of [3, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => at([1, 2, 3], index, 'gradients'),
      (error: unknown) =>
        error instanceof IndexOutOfRangeError && error instanceof RangeError && Object.is(error.index, index) && error.length === 3 && error.message === `gradients: index ${index} is outside 0..2`,
    );
  }
  assert.throws(() => at([], 0), { name: 'IndexOutOfRangeError', message: 'element: index 0 of an empty list' });
});
