// The PyTorch engine's torch version rule: 1.10 (torchrun's first release) or later, read from torch.__version__ as torch spells it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { torchTooOld } from '../../src/training/pytorch/python';

test('torch older than 1.10 is refused, whatever suffix its version carries; a missing minor counts as 0', () => {
  for (const old of ['0.4.1', '1', '1.9', '1.9.1+cu111', '1.8.0a0+gitabc']) assert.equal(torchTooOld(old), true, old);
  for (const fine of ['1.10', '1.10.0', '1.13.1', '1.13.0a0+git', '2', '2.5.1+cu124', '10.0']) assert.equal(torchTooOld(fine), false, fine);
});

test('a version that does not start with a number (a custom build) is not refused: torch is tried', () => {
  assert.equal(torchTooOld('custom-build'), false);
  assert.equal(torchTooOld(''), false);
});
