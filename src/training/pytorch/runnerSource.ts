// The Python side of the PyTorch engine (runner.py beside this file), as text: the engine writes it
// into the private folder Python runs it from, and a copy into each run folder's pytorch/. runner.py is a real Python file so that editors,
// linters and tests see it as Python. Run from source (tsx: tests, the worker in development) this
// module reads it from disk; the bundles carry it inline instead: esbuild.js loads this module as
// `export { default as RUNNER_SOURCE } from './runner.py'` with the `text` loader for `.py`.
import { readFileSync } from 'node:fs';

export const RUNNER_SOURCE: string = readFileSync(new URL('./runner.py', import.meta.url), 'utf8');
