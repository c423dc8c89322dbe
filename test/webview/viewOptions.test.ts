// The dashboard's saved state: overlaying runs with colours that stay put, and restoring state
// an older or damaged page saved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STATE, restoreState, withRun } from '../../webview/dashboard/viewOptions';

test('a run keeps its colour while others come and go; a freed colour is reused', () => {
  let state = withRun(withRun(withRun(DEFAULT_STATE, 'a', true), 'b', true), 'c', true);
  assert.deepEqual(state.colors, { a: 0, b: 1, c: 2 });
  assert.equal(state.focused, 'c');
  state = withRun(state, 'a', false);
  assert.deepEqual(state.colors, { b: 1, c: 2 });
  assert.equal(state.focused, 'c', 'the focus stays when another run goes');
  state = withRun(state, 'd', true);
  assert.deepEqual(state.colors, { b: 1, c: 2, d: 0 });
  state = withRun(state, 'd', false);
  assert.equal(state.focused, undefined, 'the focused run went: the header falls back');
  assert.deepEqual(state.selected, ['b', 'c']);
});

test('restoring takes what is valid and defaults the rest', () => {
  assert.deepEqual(restoreState(undefined), DEFAULT_STATE);
  assert.deepEqual(restoreState('nonsense'), DEFAULT_STATE);
  const restored = restoreState({ xAxis: 'epoch', yScale: 'cubic', metric: 'accuracy', smoothing: 7, selected: ['a', 3, 'b', 'c'], colors: { a: 2, b: 2, c: -1 }, focused: 'b' });
  assert.deepEqual(restored, { xAxis: 'epoch', yScale: 'linear', metric: 'accuracy', smoothing: 0.99, selected: ['a', 'b', 'c'], colors: { a: 2, b: 0, c: 1 }, focused: 'b' });
  // A page from before colours were saved.
  assert.deepEqual(restoreState({ selected: ['x', 'y'] }).colors, { x: 0, y: 1 });
  assert.equal(restoreState({ smoothing: Number.NaN }).smoothing, DEFAULT_STATE.smoothing);
});
