// A run folder is data, possibly from someone else's repository: resuming one must run no code
// from it. PyTorch checkpoints are tensors and JSON (safetensors layout), never pickles: a pickle
// with a __reduce__ payload placed as a checkpoint, under either name, is refused with a message
// and its payload does not run; a damaged checkpoint is named; and the Python to run comes from the
// resume (--python, the editor's setting), never from the run's config.json; a hashlib.py placed in
// the folder is not imported, and the processes and rendezvous address in its config.json are not
// used (runFolderIsData.test.ts checks the same without torch, and the rest of issue 18).
// Skipped, saying why, when no Python with torch is at hand (RESNET_STUDIO_PYTHON, default /usr/bin/python3).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FinishedMessage, StartedMessage, TrainingMessage } from '../../src/protocol/training';
import { TrainingError } from '../../src/training/runSetup';
import type { PyTorchRequest, PyTorchStart } from '../../src/training/pytorch/request';
import { resumedRequest } from '../../src/training/pytorch/runFolder';
import { trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { TINY_MODEL } from '../helpers/models';
import { PYTHON, torchMissing } from '../helpers/python';

const skip = torchMissing();

async function collect(start: PyTorchStart): Promise<TrainingMessage[]> {
  const messages: TrainingMessage[] = [];
  await trainWithPyTorch(start, { emit: (m) => messages.push(m), shouldStop: () => false });
  return messages;
}

async function refused(start: PyTorchStart, pattern: RegExp): Promise<void> {
  await assert.rejects(collect(start), (error: unknown) => {
    assert.ok(error instanceof TrainingError, `not a TrainingError: ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'resnet-pytorch-safety-'));

const HOSTILE_NAME = 'x""";__import__("os").system("touch PWNED");"""y.resnet';

/** One short run (one epoch, 6 steps) that the cases below copy and tamper with. */
let pristine: string | undefined;
async function finishedRun(): Promise<string> {
  if (pristine) return pristine;
  const request: PyTorchRequest = {
    sourceText: TINY_MODEL,
    // A file name that closed the model's docstring once (issue 9): the engine imports model.py at once.
    sourcePath: join(scratch, HOSTILE_NAME),
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'auto',
    outDir: mkdtempSync(join(scratch, 'runs-')),
    trainLimit: 192,
    seed: 7,
    epochs: 1,
    python: PYTHON,
    threads: 1,
  };
  const messages = await collect({ kind: 'new', request });
  pristine = (messages.find((m) => m.type === 'finished') as FinishedMessage).runDir;
  return pristine;
}

function copyOfRun(): string {
  const copy = mkdtempSync(join(scratch, 'copy-'));
  cpSync(pristine as string, copy, { recursive: true });
  return copy;
}

/** A pickle that runs `touch MARKER` when unpickled: what torch.load (without weights_only) would do. */
function maliciousPickle(marker: string): Buffer {
  const script = `import os, pickle, sys
class Payload:
    def __reduce__(self):
        return (os.system, (${JSON.stringify(`touch ${marker}`)},))
sys.stdout.buffer.write(pickle.dumps({"model": Payload()}, protocol=2))`;
  const run = spawnSync(PYTHON, ['-c', script]);
  assert.equal(run.status, 0, run.stderr.toString());
  return run.stdout;
}

test('checkpoints are tensors and JSON in the safetensors layout, and a resume from one continues the run', { skip, timeout: 300_000 }, async () => {
  const runDir = await finishedRun();
  const latest = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { checkpoint: string; step: number };
  assert.equal(latest.checkpoint, 'step-00000006.safetensors');
  const bytes = readFileSync(join(runDir, 'checkpoints', latest.checkpoint));
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & {
    __metadata__: Record<string, string>;
  };
  assert.equal(header.__metadata__.format, 'resnet-studio-pytorch-2');
  const tensors = Object.entries(header).filter(([name]) => name !== '__metadata__') as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][];
  // Every byte after the header belongs to exactly one tensor, in order.
  let offset = 0;
  for (const [name, entry] of tensors) {
    assert.equal(entry.data_offsets[0], offset, name);
    offset = entry.data_offsets[1];
  }
  assert.equal(8 + headerLength + offset, bytes.length);
  assert.ok(
    tensors.some(([name, e]) => name.endsWith(':/model/conv1.conv1.weight') && e.dtype === 'F32' && e.shape.join() === '8,3,3,3'),
    tensors.map(([n]) => n).join(', '),
  );
  // The hostile file name reached model.py only escaped: importing it ran nothing (the runner's cwd is ours).
  assert.equal(existsSync(join(process.cwd(), 'PWNED')), false);
  assert.match(readFileSync(join(runDir, 'pytorch', 'model.py'), 'utf8'), /^# PyTorch version of tiny from x\\"\\"\\";__import__/);
  // The final model is a state dict of tensors only: torch's restricted loader (no pickled code) reads it.
  const final = spawnSync(PYTHON, ['-c', 'import sys, torch; print(len(torch.load(sys.argv[1], weights_only=True)))', join(runDir, 'model', 'model.pt')], { encoding: 'utf8' });
  assert.equal(final.status, 0, final.stderr);
  assert.equal(final.stdout.trim(), '32');
  const resumed = await collect({ kind: 'resume', runDir: copyOfRun(), epochs: 2, python: PYTHON });
  assert.equal((resumed.find((m) => m.type === 'started') as StartedMessage).resumedAtStep, 6);
  assert.equal((resumed.find((m) => m.type === 'finished') as FinishedMessage).step, 12);
});

test('a pickle with a __reduce__ payload placed as a checkpoint is refused, under either name, and does not run', { skip, timeout: 300_000 }, async () => {
  await finishedRun();
  const marker = join(scratch, 'PWNED');
  const payload = maliciousPickle(marker);
  // As an old-style step-N.pt named by latest.json: refused before Python starts, not passed over.
  const legacy = copyOfRun();
  writeFileSync(join(legacy, 'checkpoints', 'step-00000006.pt'), payload);
  writeFileSync(join(legacy, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: 'step-00000006.pt', step: 6, epoch: 0 }));
  await refused({ kind: 'resume', runDir: legacy, epochs: 2, python: PYTHON }, /step-00000006\.pt is a pickled checkpoint .*pickles can run code when loaded, so it is not loaded/);
  // In place of the real checkpoint, under its name: the runner reads bytes, sees a pickle, refuses.
  const disguised = copyOfRun();
  writeFileSync(join(disguised, 'checkpoints', 'step-00000006.safetensors'), payload);
  await refused({ kind: 'resume', runDir: disguised, epochs: 2, python: PYTHON }, /step-00000006\.safetensors is a pickle \(torch\.save\), which can run code when loaded; it was not loaded/);
  assert.equal(existsSync(marker), false, 'the pickle payload ran');
  // The payload is real: unpickled, it does run (so the assertion above can fail).
  const control = spawnSync(PYTHON, ['-c', 'import pickle, sys; pickle.loads(sys.stdin.buffer.read())'], { input: payload });
  assert.equal(control.status, 0, control.stderr.toString());
  assert.equal(existsSync(marker), true);
  rmSync(marker);
});

test('a damaged checkpoint is named, with what is wrong with it', { skip, timeout: 300_000 }, async () => {
  await finishedRun();
  const truncated = copyOfRun();
  const file = join(truncated, 'checkpoints', 'step-00000006.safetensors');
  truncateSync(file, statSync(file).size - 100);
  await refused(
    { kind: 'resume', runDir: truncated, epochs: 2, python: PYTHON },
    /no checkpoint of .* is whole: .*step-00000006\.safetensors is damaged \(its tensor bytes do not match their checksum\)/,
  );
  const flipped = copyOfRun();
  const bytes = readFileSync(join(flipped, 'checkpoints', 'step-00000006.safetensors'));
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(join(flipped, 'checkpoints', 'step-00000006.safetensors'), bytes);
  await refused({ kind: 'resume', runDir: flipped, epochs: 2, python: PYTHON }, /is damaged \(its tensor bytes do not match their checksum\)/);
  // A pointer that leads out of the folder, or is not JSON, is passed over for the newest whole checkpoint, with a warning.
  const escaping = copyOfRun();
  writeFileSync(join(escaping, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: '../../../etc/passwd', step: 6, epoch: 0 }));
  const fromEscaping = await collect({ kind: 'resume', runDir: escaping, epochs: 2, python: PYTHON });
  const escapingStart = fromEscaping.find((m) => m.type === 'started') as StartedMessage;
  assert.equal(escapingStart.resumedAtStep, 6);
  assert.match(escapingStart.warnings?.join('\n') ?? '', /latest\.json.*checkpoint.*must name a checkpoint in the same folder.*resuming from .*step-00000006\.safetensors instead/);
  const garbage = copyOfRun();
  writeFileSync(join(garbage, 'checkpoints', 'latest.json'), '{"checkpoint": ');
  const fromGarbage = await collect({ kind: 'resume', runDir: garbage, epochs: 2, python: PYTHON });
  assert.match((fromGarbage.find((m) => m.type === 'started') as StartedMessage).warnings?.join('\n') ?? '', /latest\.json.*resuming from .*step-00000006\.safetensors instead/);
});

test('the Python to run never comes from the run folder: a hostile "python" in config.json is ignored on resume', { skip, timeout: 300_000 }, async () => {
  await finishedRun();
  const runDir = copyOfRun();
  const marker = join(scratch, 'PYTHON-FROM-RUN-FOLDER-RAN');
  const hostile = join(scratch, 'hostile-python.sh');
  writeFileSync(hostile, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\nexec ${JSON.stringify(PYTHON)} "$@"\n`);
  chmodSync(hostile, 0o755);
  const configPath = join(runDir, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as PyTorchRequest;
  writeFileSync(configPath, JSON.stringify({ ...config, python: hostile }));
  // What the resume is given (--python, the setting) is what runs.
  assert.equal(resumedRequest({ kind: 'resume', runDir, python: PYTHON }).python, PYTHON);
  // Given none, the default (python3 on PATH), not the run folder's.
  assert.equal(resumedRequest({ kind: 'resume', runDir }).python, undefined);
  const resumed = await collect({ kind: 'resume', runDir, epochs: 2, python: PYTHON });
  assert.equal((resumed.find((m) => m.type === 'finished') as FinishedMessage).step, 12);
  assert.equal(existsSync(marker), false, 'the python named in config.json ran');
  // The script is real: run, it leaves the marker (so the assertion above can fail).
  assert.equal(spawnSync(hostile, ['-c', 'pass']).status, 0);
  assert.equal(existsSync(marker), true);
});

test('a hashlib.py in the run folder that re-exports the real one is not imported: the resume runs and finishes without it', { skip, timeout: 300_000 }, async () => {
  await finishedRun();
  const runDir = copyOfRun();
  const marker = join(scratch, 'HASHLIB-OF-THE-RUN-FOLDER-RAN');
  // Writes a marker, then stands in for the real module so that a run importing it goes on as usual.
  const hostile = `import importlib.util, os, sysconfig
open(${JSON.stringify(marker)}, "a").write(__file__ + "\\n")
_spec = importlib.util.spec_from_file_location("hashlib", os.path.join(sysconfig.get_paths()["stdlib"], "hashlib.py"))
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
globals().update({k: v for k, v in vars(_real).items() if not k.startswith("__")})
`;
  writeFileSync(join(runDir, 'pytorch', 'hashlib.py'), hostile);
  const resumed = await collect({ kind: 'resume', runDir, epochs: 2, python: PYTHON });
  assert.equal((resumed.find((m) => m.type === 'finished') as FinishedMessage).step, 12);
  assert.equal(existsSync(marker), false, "the run folder's hashlib.py ran");
  // It is real: imported, it runs, and hashes as the real one does.
  const control = spawnSync(PYTHON, ['-c', 'import hashlib; print(hashlib.sha256(b"").hexdigest())'], { cwd: join(runDir, 'pytorch'), encoding: 'utf8' });
  assert.equal(control.stdout.trim(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', control.stderr);
  assert.equal(existsSync(marker), true);
});

test('the processes and the rendezvous address in config.json are not used on resume: one process, nothing connects there', { skip, timeout: 300_000 }, async () => {
  await finishedRun();
  const runDir = copyOfRun();
  const connections: string[] = [];
  const store = createServer((socket) => {
    connections.push(String(socket.remoteAddress));
    socket.destroy();
  });
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
  try {
    const configPath = join(runDir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as PyTorchRequest;
    writeFileSync(configPath, JSON.stringify({ ...config, nprocPerNode: 2, rdzvEndpoint: `127.0.0.1:${(store.address() as { port: number }).port}` }));
    const resumed = await collect({ kind: 'resume', runDir, epochs: 2, python: PYTHON });
    assert.equal((resumed.find((m) => m.type === 'started') as StartedMessage).device, 'cpu');
    assert.equal((resumed.find((m) => m.type === 'finished') as FinishedMessage).step, 12);
    assert.deepEqual(connections, [], 'torchrun connected to the address config.json named');
  } finally {
    store.close();
  }
});
