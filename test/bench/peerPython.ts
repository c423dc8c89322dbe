// Finds Debian's Python with PyTorch, the peer the benchmarks compare against (see README).
import { spawnSync } from 'node:child_process';

export const PEER_PYTHON = process.env.RESNET_PEER_PYTHON ?? '/usr/bin/python3';

/** The torch version, or undefined (with the reason printed) when the peer is not installed. */
export function torchVersion(): string | undefined {
  const r = spawnSync(PEER_PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  console.log(`PyTorch peer not available at ${PEER_PYTHON} (install Debian's python3-torch); skipping the comparison.`);
  return undefined;
}

/** Runs a Python script with the peer and parses the JSON object it prints last. */
export function runPython<T>(script: string, args: readonly string[] = []): T {
  const r = spawnSync(PEER_PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
