// A run folder is data, received in a zip or a cloned repository and then resumed (issue 18): a
// resume imports no Python file of it, connects to no address and starts no more processes than
// whoever resumes asks for, and writes nothing through a link out of it; an experiment's state
// file names no folder. Every hostile folder is made here.
// How Python starts is seen through a stand-in `torch` in a virtual environment of the test's
// Python (helpers/python.ts): it records how each Python that imports it was started, has what the
// engine's check asks for, and stops the runner at `import torch.nn`. So these run without PyTorch;
// pytorchSafety.test.ts resumes hostile folders with the real torch, where there is one. TF.js runs
// are real (the tiny model on synthetic data).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StartedMessage, TrainRequest } from '../../src/protocol/training';
import { createExperiment, writeState, readState } from '../../src/training/experiment/state';
import { checkSettings, type PyTorchRequest } from '../../src/training/pytorch/request';
import { resumedRequest } from '../../src/training/pytorch/runFolder';
import { trainWithPyTorch } from '../../src/training/pytorch/trainWithPyTorch';
import { checkWritable, runPaths } from '../../src/training/runFolder/runFolder';
import { TrainingError } from '../../src/training/trainingError';
import { TINY_MODEL } from '../helpers/models';
import { PYTHON } from '../helpers/python';
import { collect } from '../helpers/trainRun';

const CLI = join(process.cwd(), 'dist/cli.cjs');
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'resnet-run-folder-is-data-')));

// ---------------------------------------------------------------------------------------------
// The stand-in torch.

interface Started {
  readonly argv: string[];
  readonly isolated: number;
  readonly path: string[];
  readonly cwd: string;
}

/** A virtual environment whose `torch` records every start in `record`; undefined (with why) when no venv can be made. */
function makeStandIn(): { python: string; record: string } | { why: string } {
  const venv = join(scratch, 'venv');
  const made = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  if (made.status !== 0) return { why: `${PYTHON} -m venv failed: ${made.stderr.trim()}` };
  const python = join(venv, 'bin', 'python');
  const purelib = spawnSync(python, ['-I', '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
  const record = join(scratch, 'python-starts.jsonl');
  mkdirSync(join(purelib, 'torch', 'distributed'), { recursive: true });
  writeFileSync(
    join(purelib, 'torch', '__init__.py'),
    `# A stand-in for torch: records how this Python started; has just what the engine's check reads.
import json, os, sys
with open(${JSON.stringify(record)}, "a", encoding="utf-8") as record:
    record.write(json.dumps({"argv": sys.argv, "isolated": sys.flags.isolated, "path": sys.path, "cwd": os.getcwd()}) + "\\n")
__version__ = "2.0.0"
class version:
    cuda = None
class cuda:
    is_available = staticmethod(lambda: False)
    device_count = staticmethod(lambda: 0)
`,
  );
  writeFileSync(join(purelib, 'torch', 'distributed', '__init__.py'), 'def is_available():\n    return True\n');
  return { python, record };
}

const standIn = makeStandIn();
const noStandIn = 'why' in standIn ? standIn.why : undefined;

/** The Pythons started since `from` lines of the record. */
function startsSince(from: number): Started[] {
  if ('why' in standIn || !existsSync(standIn.record)) return [];
  return readFileSync(standIn.record, 'utf8')
    .trim()
    .split('\n')
    .slice(from)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Started);
}

function recordLength(): number {
  return startsSince(0).length;
}

/** A stopped PyTorch run of TINY_MODEL, as a resume finds it: config.json and a whole checkpoint at step 6 (of 12). */
function pytorchRunFolder(config: Partial<PyTorchRequest> = {}): string {
  const runDir = mkdtempSync(join(scratch, 'pytorch-run-'));
  const request: PyTorchRequest = {
    sourceText: TINY_MODEL,
    sourcePath: join(scratch, 'tiny.resnet'),
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'auto',
    outDir: scratch,
    trainLimit: 192,
    seed: 7,
    epochs: 2,
    engine: 'pytorch',
    threads: 1,
    ...config,
  };
  writeFileSync(join(runDir, 'config.json'), JSON.stringify(request));
  mkdirSync(join(runDir, 'checkpoints'));
  // runner.py's checkpoint layout with no tensors: the header's SHA-256 is that of no bytes.
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'resnet-studio-pytorch-2', sha256: createHash('sha256').digest('hex') } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(runDir, 'checkpoints', 'step-00000006.safetensors'), Buffer.concat([length, header]));
  writeFileSync(join(runDir, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: 'step-00000006.safetensors', step: 6 }));
  return runDir;
}

/** Resumes with the stand-in; its message (the stand-in stops every runner, so every resume fails). */
async function resumeWithStandIn(runDir: string, flags: Partial<PyTorchRequest> = {}): Promise<string> {
  const python = 'why' in standIn ? PYTHON : standIn.python;
  try {
    await trainWithPyTorch({ kind: 'resume', runDir, epochs: 2, python, ...flags }, { emit: () => undefined, shouldStop: () => false });
  } catch (error) {
    assert.ok(error instanceof TrainingError, `not a TrainingError: ${String(error)}`);
    return error.message;
  }
  return assert.fail('the stand-in torch cannot train');
}

const inside = (folder: string, path: string) => path === folder || path.startsWith(`${folder}/`);

// ---------------------------------------------------------------------------------------------
// 1. Python imports nothing from the run folder.

test('a hashlib.py in the run folder (pytorch/, or the folder the command was started in) is not imported: every Python starts isolated, in a folder of the engine', {
  skip: noStandIn ?? false,
  timeout: 120_000,
}, async () => {
  const runDir = pytorchRunFolder();
  const realRun = realpathSync(runDir);
  const marker = join(scratch, 'RUN-FOLDER-CODE-RAN');
  const hostile = `open(${JSON.stringify(marker)}, "a").write(__file__ + "\\n")\n`;
  // Where runner.py was written and started from until now.
  mkdirSync(join(runDir, 'pytorch'));
  writeFileSync(join(runDir, 'pytorch', 'hashlib.py'), hostile);
  const from = recordLength();
  assert.match(await resumeWithStandIn(runDir), /the PyTorch runner exited with code 1 before finishing: .*No module named 'torch\.nn'/);
  assert.equal(existsSync(marker), false, `a file of the run folder ran: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);
  const starts = startsSince(from);
  const runner = starts.find((s) => s.argv[0]?.endsWith('runner.py'));
  assert.ok(runner, `the runner was started (it imported torch): ${JSON.stringify(starts)}`);
  for (const start of starts) assert.equal(start.isolated, 1, `not isolated: ${JSON.stringify(start.argv)}`);
  // (The engine's folder is gone once the runner ends: paths are compared as the runner saw them.)
  assert.ok(!inside(realRun, runner.argv[0] as string), `runner.py ran from the run folder: ${runner.argv[0]}`);
  assert.ok(!inside(realRun, runner.cwd), `the runner started in the run folder: ${runner.cwd}`);
  assert.deepEqual(
    runner.path.filter((p) => inside(realRun, p) || p === '' || p === '.'),
    [],
  );
  // The run folder keeps a copy of what ran, to read.
  assert.match(readFileSync(join(runDir, 'pytorch', 'runner.py'), 'utf8'), /^# ResNet Studio's PyTorch training runner/);

  // `cd RUN; resnet-studio train --resume .`: the working folder is not on any Python's path either.
  writeFileSync(join(runDir, 'json.py'), hostile);
  const cwd = process.cwd();
  process.chdir(runDir);
  try {
    assert.match(await resumeWithStandIn(runDir), /No module named 'torch\.nn'/);
  } finally {
    process.chdir(cwd);
  }
  assert.equal(existsSync(marker), false, `a file of the working folder ran: ${existsSync(marker) ? readFileSync(marker, 'utf8') : ''}`);

  // The hostile file is real: a script started from that folder, as the runner was, imports it.
  writeFileSync(join(runDir, 'pytorch', 'script.py'), 'import hashlib\n');
  spawnSync(PYTHON, [join(runDir, 'pytorch', 'script.py')]);
  assert.equal(existsSync(marker), true, 'the hostile hashlib.py did not run even where Python looks for it');
});

// ---------------------------------------------------------------------------------------------
// 2. Processes, machines and the rendezvous address come from whoever resumes, bounded.

test("config.json's rdzvEndpoint, nnodes and nprocPerNode are not used on resume: one process, no connection; the flags are, bounded by the machine's CPUs", {
  skip: noStandIn ?? false,
  timeout: 120_000,
}, async () => {
  const connections: string[] = [];
  const store = createServer((socket) => {
    connections.push(String(socket.remoteAddress));
    socket.destroy();
  });
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
  const port = (store.address() as { port: number }).port;
  try {
    const runDir = pytorchRunFolder({ nprocPerNode: 2, nnodes: 2, rdzvEndpoint: `127.0.0.1:${port}` });
    const resumed = resumedRequest({ kind: 'resume', runDir });
    assert.deepEqual([resumed.nprocPerNode, resumed.nnodes, resumed.rdzvEndpoint], [undefined, undefined, undefined]);
    assert.equal(resumedRequest({ kind: 'resume', runDir, nprocPerNode: 2 }).nprocPerNode, 2);
    const from = recordLength();
    await resumeWithStandIn(runDir);
    const starts = startsSince(from);
    // One plain Python ran the runner: no torchrun, so no rendezvous with anything.
    assert.deepEqual(
      starts.filter((s) => s.argv[0] !== '-c').map((s) => s.argv[0]?.split('/').pop()),
      ['runner.py'],
    );
    assert.deepEqual(connections, [], 'something connected to the address config.json named');
    // Given on the command line, the rendezvous is used: torchrun starts, isolated like the rest.
    const fromFlags = recordLength();
    const withFlags = await resumeWithStandIn(runDir, { rdzvEndpoint: `127.0.0.1:${port}` });
    assert.match(withFlags, /exited with code 1/);
    const torchrun = startsSince(fromFlags).filter((s) => s.argv[0] === '-m');
    assert.equal(torchrun.length, 1, JSON.stringify(startsSince(fromFlags)));
    assert.equal(torchrun[0]?.isolated, 1);
  } finally {
    store.close();
  }
  // At most one process, and one thread per process, per CPU of the machine.
  assert.throws(() => checkSettings({ nprocPerNode: 5 }, 4), /--nproc-per-node 5: this machine has 4 CPUs and each process needs one of its own; pass 4 or fewer/);
  assert.throws(() => checkSettings({ threads: 100_000 }, 4), /threads 100000: this machine has 4 CPUs; ask for 4 or fewer threads per process/);
  checkSettings({ nprocPerNode: 4, threads: 4 }, 4);
  // config.json's threads are kept (the run's own setting) but bounded the same way.
  const greedy = pytorchRunFolder({ threads: 100_000 });
  assert.match(await resumeWithStandIn(greedy), /^threads 100000: this machine has \d+ CPUs/);
});

test('--nproc-per-node beyond the CPUs is refused by the CLI on resume, with the bound', { timeout: 120_000 }, () => {
  const runDir = pytorchRunFolder();
  const run = spawnSync(process.execPath, [CLI, 'train', '--resume', runDir, '--nproc-per-node', '100000'], { encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /--nproc-per-node 100000: this machine has \d+ CPUs and each process needs one of its own; pass \d+ or fewer/);
});

// ---------------------------------------------------------------------------------------------
// 3. Nothing is written through a link out of the run folder.

/** A folder outside the run holding files a resume must leave alone. */
function victimFolder(): string {
  const victim = mkdtempSync(join(scratch, 'victim-'));
  writeFileSync(join(victim, 'plan.json'), 'VICTIM');
  writeFileSync(join(victim, 'stop-requested'), 'VICTIM');
  return victim;
}

/** Each entry of a folder with its content (`dir` for a folder): what a resume must not change. */
function listing(folder: string): string {
  return readdirSync(folder, { withFileTypes: true })
    .map((e) => `${e.name}=${e.isDirectory() ? 'dir' : readFileSync(join(folder, e.name), 'utf8')}`)
    .sort()
    .join('\n');
}

test('a PyTorch run whose pytorch/ links to another folder is refused, naming the link, and the other folder is untouched', { skip: noStandIn ?? false, timeout: 120_000 }, async () => {
  const runDir = pytorchRunFolder();
  const victim = victimFolder();
  symlinkSync(victim, join(runDir, 'pytorch'));
  const before = listing(victim);
  const message = await resumeWithStandIn(runDir);
  assert.match(
    message,
    /pytorch is a symbolic link to .*victim-\w+, outside the run folder .*: a run never writes through a link out of its folder; replace the link with a folder or file of its own/,
  );
  assert.equal(listing(victim), before);
  assert.equal(readFileSync(join(victim, 'plan.json'), 'utf8'), 'VICTIM');
  assert.equal(readFileSync(join(victim, 'stop-requested'), 'utf8'), 'VICTIM');
  // checkpoints/ and model/, which the runner writes itself, are checked the same way before it starts.
  for (const name of ['checkpoints', 'model', 'metrics.jsonl']) {
    const other = mkdtempSync(join(scratch, 'link-'));
    const target = name === 'metrics.jsonl' ? join(other, 'victim.txt') : other;
    if (name === 'metrics.jsonl') writeFileSync(target, 'VICTIM');
    const folder = mkdtempSync(join(scratch, 'run-'));
    symlinkSync(target, join(folder, name));
    assert.throws(() => checkWritable(folder), new RegExp(`${name.replace('.', '\\.')} is a symbolic link to .*, outside the run folder`));
  }
  const broken = mkdtempSync(join(scratch, 'run-'));
  symlinkSync(join(broken, 'nowhere'), join(broken, 'model'));
  assert.throws(() => checkWritable(broken), /model is a symbolic link to .*nowhere, which does not exist: .*replace the link with a folder or file, or delete it/);
});

function tfjsRequest(overrides: Partial<TrainRequest> = {}): TrainRequest {
  return {
    sourceText: TINY_MODEL,
    sourcePath: 'tiny.resnet',
    modelName: 'tiny',
    dataset: 'synthetic',
    backend: 'wasm',
    outDir: mkdtempSync(join(scratch, 'runs-')),
    trainLimit: 192,
    seed: 7,
    ...overrides,
  };
}

let finishedTfjsRun: string | undefined;
async function copyOfTfjsRun(): Promise<string> {
  finishedTfjsRun ??= (await collect({ kind: 'new', request: tfjsRequest() })).find((m): m is StartedMessage => m.type === 'started')?.runDir;
  const copy = join(mkdtempSync(join(scratch, 'tfjs-copy-')), 'run');
  cpSync(finishedTfjsRun as string, copy, { recursive: true });
  return copy;
}

test('a TF.js run whose checkpoints/ or metrics.jsonl links out of it is refused before anything is written; a link that stays inside is followed', { timeout: 300_000 }, async () => {
  // checkpoints/ moved elsewhere and linked back: the resume would write step 18 there.
  const runDir = await copyOfTfjsRun();
  const elsewhere = join(mkdtempSync(join(scratch, 'victim-')), 'checkpoints');
  renameSync(runPaths(runDir).checkpoints, elsewhere);
  symlinkSync(elsewhere, runPaths(runDir).checkpoints);
  const before = listing(elsewhere);
  await assert.rejects(collect({ kind: 'resume', runDir, epochs: 3 }), /checkpoints is a symbolic link to .*checkpoints, outside the run folder/);
  assert.equal(listing(elsewhere), before);
  // metrics.jsonl linked to a file elsewhere: appending would grow that file.
  const appended = await copyOfTfjsRun();
  const victim = join(mkdtempSync(join(scratch, 'victim-')), 'notes.txt');
  writeFileSync(victim, 'VICTIM');
  renameSync(runPaths(appended).metrics, join(appended, 'metrics-moved.jsonl'));
  symlinkSync(victim, runPaths(appended).metrics);
  await assert.rejects(collect({ kind: 'resume', runDir: appended, epochs: 3 }), /metrics\.jsonl is a symbolic link to .*notes\.txt, outside the run folder/);
  assert.equal(readFileSync(victim, 'utf8'), 'VICTIM');
  // A link to a folder inside the run folder is the run's own: the resume writes there.
  const own = await copyOfTfjsRun();
  renameSync(runPaths(own).checkpoints, join(own, 'kept'));
  symlinkSync('kept', runPaths(own).checkpoints);
  const resumed = await collect({ kind: 'resume', runDir: own, epochs: 3 });
  assert.equal(resumed.find((m): m is StartedMessage => m.type === 'started')?.resumedAtStep, 12);
  assert.ok(existsSync(join(own, 'kept', 'step-00000018')));
});

// ---------------------------------------------------------------------------------------------
// 4. Names from an experiment's state file, and a request's model name, are checked before any folder is made.

const EXPERIMENT_SOURCE = `model t(n) {
  input 8x8x3, classes 4
  shortcut A
  conv1    conv 3x3, 4, bn, relu
  conv2_x  basic(4) x n
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    iterations 4
    augment none
  }
}
experiment ok {
  grid t(n = 2)
}
`;

test("experiment.json's runs[].model must name a model or variant of its source: a path is refused before any folder is made", { timeout: 120_000 }, () => {
  const runs = mkdtempSync(join(scratch, 'experiments-'));
  const plan = {
    experiment: 'ok',
    sourcePath: join(scratch, 'ok.resnet'),
    sourceText: EXPERIMENT_SOURCE,
    runs: [{ key: 't_n2', variant: 't_n2', label: 't(n = 2)', model: 'ok.t_n2', plain: false, params: 1, macs: 1 }],
  };
  const dir = createExperiment(plan, { dataset: 'synthetic', backend: 'wasm', order: 'listed' }, runs);
  assert.equal(readState(dir).runs[0]?.model, 'ok.t_n2');
  const state = readState(dir);
  // `<time>-<model>` under the experiment folder would be `runs/ESCAPED`, beside it.
  writeState(dir, { ...state, runs: state.runs.map((r) => ({ ...r, model: 'ok.t_n2/../../ESCAPED' })) });
  const run = spawnSync(process.execPath, [CLI, 'experiment', '--resume', dir], { encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /experiment\.json: run t_n2 trains "ok\.t_n2\/\.\.\/\.\.\/ESCAPED", which is no model or variant of its source .*ok\.resnet; the experiment folder is damaged/);
  assert.equal(existsSync(join(runs, 'ESCAPED')), false, 'a folder was made outside the experiment');
  assert.deepEqual(readdirSync(dir), ['experiment.json']);
});

test('a training request for a model the file does not have makes no run folder, wherever its name points', { timeout: 120_000 }, async () => {
  const request = tfjsRequest({ modelName: 'tiny/../../ESCAPED' });
  await assert.rejects(collect({ kind: 'new', request }), /has no model named tiny\/\.\.\/\.\.\/ESCAPED; its models: tiny/);
  assert.deepEqual(readdirSync(request.outDir), []);
  assert.equal(existsSync(join(request.outDir, '..', 'ESCAPED')), false);
});
