// The command line as a user meets it (issues 9 and 14): every command's --help, what `check` and
// `stats` say when they cannot do all of it, and the messages for hostile or careless input. Runs
// the built bundle (npm test builds first), as a user would.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const dir = mkdtempSync(join(tmpdir(), 'resnet-cli-messages-'));

test('dist/cli.cjs is executable as built, runs by its shebang, and package.json and the lock name it alike', () => {
  const mode = statSync('dist/cli.cjs').mode;
  assert.equal(mode & 0o111, 0o111, `mode ${mode.toString(8)}`);
  accessSync('dist/cli.cjs', constants.X_OK);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { bin?: Record<string, string> }> };
  assert.equal(pkg.bin['resnet-studio'].replace(/^\.\//, ''), 'dist/cli.cjs');
  assert.equal(lock.packages[''].bin?.['resnet-studio']?.replace(/^\.\//, ''), 'dist/cli.cjs');
  const direct = spawnSync('./dist/cli.cjs', ['--help'], { encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
  assert.match(direct.stdout, /^Usage: resnet-studio <command>/);
});

test('every command answers --help with its own usage, without running', () => {
  for (const command of ['check', 'stats', 'export', 'train', 'install-backend', 'lsp', 'demo']) {
    const started = Date.now();
    const r = cli(command, '--help');
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: resnet-studio ${command}\\b`), command);
    assert.doesNotMatch(r.stdout, /Training examples|The paper's models/, command);
    assert.ok(Date.now() - started < 30_000, command);
  }
  const extra = cli('demo', 'now');
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /demo takes no arguments/);
});

test('the top-level --help lists every command main.ts runs, and each usage line names every option its help explains', () => {
  const routed = [...readFileSync('src/cli/main.ts', 'utf8').matchAll(/case '([a-z][a-z-]*)':/g)].map((m) => m[1] ?? '').filter((c) => c !== 'help');
  assert.ok(routed.length >= 10, `commands found in main.ts: ${routed.join(', ')}`);
  const top = cli('--help').stdout;
  for (const command of routed) assert.match(top, new RegExp(`^  ${command}\\b`, 'm'), `--help lists ${command}`);
  for (const command of routed.filter((c) => !['lsp', 'demo'].includes(c))) {
    const help = cli(command, '--help').stdout;
    const [usage, ...body] = help.split('\n\n');
    const explained = new Set([...(body.join('\n').matchAll(/^\s+(--[a-z][a-z-]*)/gm) ?? [])].map((m) => m[1]));
    for (const option of explained) assert.ok(usage?.includes(option), `${command}: the usage line names ${option}`);
  }
});

test('check on a missing file does not say it checked it', () => {
  const r = cli('check', join(dir, 'missing.resnet'));
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /1 file checked/);
  assert.match(r.stderr, /no file checked: 1 file could not be read/);
  const mixed = cli('check', 'examples/cifar/resnet20.resnet', join(dir, 'missing.resnet'));
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /1 file checked: 0 errors, 0 warnings; 1 file could not be read/);
});

test('stats on a file with errors: exit 1, and the JSON says it is partial', () => {
  const file = join(dir, 'partial.resnet');
  writeFileSync(file, 'model good {\n  input 32x32x3, classes 10\n  s conv 3x3, 8\n  head avgpool, fc 10\n}\nmodel bad {\n  input 32x32x3, classes 10\n  s nope(8)\n}\n');
  const r = cli('stats', file, '--json');
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout) as { complete: boolean; errors: number; models: { name: string }[] };
  assert.equal(doc.complete, false);
  assert.equal(doc.errors, 1);
  assert.deepEqual(
    doc.models.map((m) => m.name),
    ['good'],
  );
  assert.match(r.stderr, /unknown block `nope`/);
  const clean = JSON.parse(cli('stats', 'examples/cifar/resnet20.resnet', '--json').stdout) as { complete: boolean; errors: number };
  assert.deepEqual([clean.complete, clean.errors], [true, 0]);
  assert.match(cli('stats', '--help').stdout, /"complete" is false/);
});

test('"has no model named" is one message in every command', () => {
  const expected = /examples\/cifar\/resnet20\.resnet has no model named nope; its models: resnet20\n/;
  for (const command of ['stats', 'export', 'train']) {
    const r = cli(command, 'examples/cifar/resnet20.resnet', '--model', 'nope');
    assert.equal(r.code, 1, command);
    assert.match(r.stderr, expected, command);
  }
});

test('check /dev/zero ends with a message instead of reading forever', { skip: process.platform === 'win32' }, () => {
  const r = cli('check', '/dev/zero');
  assert.equal(r.signal, null);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read \/dev\/zero: it is a device, not a regular file; pass a \.resnet file/);
});

test('a FIFO named *.resnet is refused at once by every command that reads a source, never waited on (issue 18, item 7)', { skip: process.platform === 'win32' }, () => {
  const fifo = join(dir, 'pipe.resnet');
  execFileSync('mkfifo', [fifo]);
  const commands = [
    ['check', fifo],
    ['stats', fifo],
    ['export', fifo],
    ['diff', fifo, 'examples/cifar/resnet20.resnet'],
    ['diff', 'examples/cifar/resnet20.resnet', fifo],
    ['profile', fifo],
    ['train', fifo],
    ['experiment', fifo],
  ];
  for (const args of commands) {
    // Before, each of these waited for a writer until killed.
    const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    assert.equal(r.signal, null, `${args.join(' ')} hung`);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /cannot read .*pipe\.resnet: it is a named pipe \(FIFO\), not a regular file; pass a \.resnet file/, args.join(' '));
  }
  // A file over the limit is refused by its size, read no further than one byte past it.
  const large = join(dir, 'large.resnet');
  writeFileSync(large, `// ${'x'.repeat(1024 * 1024)}\n`);
  const r = cli('check', large);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read .*large\.resnet: it is over 1,048,576 bytes \(1 MiB\), the most a \.resnet file may have/);
});

test('--json prints one JSON object whatever fails (issue 18, item 6)', () => {
  // The only model is past 2^53: before, stats --json printed nothing at all.
  const huge = join(dir, 'huge.resnet');
  writeFileSync(huge, 'model m {\n  input 32x32x3\n  a conv 3x3, 1099511627776\n}\n');
  const refused = cli('stats', huge, '--json');
  assert.equal(refused.code, 1);
  assert.deepEqual(JSON.parse(refused.stdout), { complete: false, errors: 1, models: [], error: `${huge} has no model that could be analyzed; fix the errors above` });
  assert.match(refused.stderr, /past 2\^53/);
  // Every other way stats can fail: a missing file, a wrong option, an unknown option, no file, --model naming none.
  for (const [args, code, error] of [
    [[join(dir, 'missing.resnet')], 2, /cannot read .*missing\.resnet: no such file/],
    [['examples/cifar/resnet20.resnet', '--batch', '0'], 2, /--batch takes a whole number from 1 to 1,048,576, not "0"/],
    [['examples/cifar/resnet20.resnet', '--bogus'], 2, /Unknown option '--bogus'/],
    [[], 2, /stats needs a file/],
    [['examples/cifar/resnet20.resnet', '--model', 'nope'], 1, /has no model named nope/],
  ] as const) {
    const r = cli('stats', ...args, '--json');
    assert.equal(r.code, code, args.join(' '));
    assert.equal(r.stdout.trim().split('\n').length, 1, 'one line');
    const doc = JSON.parse(r.stdout) as { complete: boolean; errors: number; models: unknown[]; error: string };
    assert.deepEqual([doc.complete, doc.errors, doc.models], [false, 0, []], args.join(' '));
    assert.match(doc.error, error);
  }
  // --json is the same in every language: the error too.
  const korean = spawnSync(process.execPath, ['dist/cli.cjs', 'stats', join(dir, 'missing.resnet'), '--json'], { encoding: 'utf8', env: { ...process.env, LANG: 'ko_KR.UTF-8' } });
  assert.match((JSON.parse(korean.stdout) as { error: string }).error, /^cannot read .*missing\.resnet: no such file$/);
  // The other --json commands, each in the shape of its own output.
  const diff = cli('diff', join(dir, 'missing.resnet'), 'examples/cifar/resnet20.resnet', '--json');
  assert.equal(diff.code, 2);
  assert.match((JSON.parse(diff.stdout) as { error: string }).error, /cannot read .*missing\.resnet: no such file/);
  const profile = cli('profile', 'examples/mnist/resnet8.resnet', '--repeats', '0', '--json');
  assert.equal(profile.code, 2);
  assert.match((JSON.parse(profile.stdout) as { error: string }).error, /--repeats takes a whole number from 1 to 1,000, not "0"/);
  const train = cli('train', 'examples/mnist/resnet8.resnet', '--epochs', '0', '--json');
  assert.equal(train.code, 2);
  assert.deepEqual(JSON.parse(train.stdout), { type: 'failed', message: '--epochs takes a whole number of at least 1, not "0"' });
  const experiment = cli('experiment', huge, '--json');
  assert.equal(experiment.code, 1);
  assert.equal((JSON.parse(experiment.stdout) as { type: string }).type, 'failed');
});

test('a UTF-16 file is named by its encoding, with or without its byte-order mark', () => {
  const source = readFileSync('examples/cifar/resnet20.resnet', 'utf8');
  const withMark = join(dir, 'utf16.resnet');
  writeFileSync(withMark, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(source, 'utf16le')]));
  const noMark = join(dir, 'utf16-nobom.resnet');
  writeFileSync(noMark, Buffer.from(source, 'utf16le'));
  for (const [file, message] of [
    [withMark, /encoded as UTF-16 little-endian \(it starts with FF FE\); save it as UTF-8/],
    [noMark, /looks encoded as UTF-16 little-endian/],
  ] as const) {
    const r = cli('check', file);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.ok(r.stderr.length + r.stdout.length < 1000, 'one message, not pages of errors');
  }
});

test('control characters from a file are escaped before they reach the terminal', () => {
  const file = join(dir, 'controls.resnet');
  writeFileSync(file, '\u007f\u001b[31mred\u001b]0;title\u0007\n');
  const r = cli('check', file);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.match(r.stdout, /\\u001b/);
});

test("numbers on the command line: negative and hexadecimal values get the option's own message", () => {
  for (const [args, message] of [
    [['--epochs', '-1'], /--epochs takes a whole number of at least 1, not "-1"/],
    [['--epochs', '0x10'], /--epochs takes a whole number of at least 1, not "0x10"/],
    [['--batch-size', '1e3'], /--batch-size takes a whole number from 1 to 1,048,576, not "1e3"/],
    // Past the rule every batch option follows: refused before a run folder is made, not "memory access out of bounds".
    [['--batch-size', '100000000'], /--batch-size takes a whole number from 1 to 1,048,576, not "100000000"/],
  ] as const) {
    const r = cli('train', 'examples/mnist/resnet8.resnet', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /ambiguous/);
  }
  const batch = cli('stats', 'examples/cifar/resnet20.resnet', '--batch', '0x10');
  assert.equal(batch.code, 2);
  assert.match(batch.stderr, /--batch takes a whole number from 1 to 1,048,576, not "0x10"/);
});

test('train: an --out that cannot be written is named before training, with no "unexpected error"', () => {
  const file = join(dir, 'not-a-folder');
  writeFileSync(file, '');
  const r = cli('train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--out', join(file, 'runs'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out .*not-a-folder\/runs cannot be written \(a file of that name is in the way\); pass --out with a folder you can write to/);
  assert.doesNotMatch(r.stderr, /unexpected error/);
});

test('train: a worker killed by a signal is named by its signal, not "code 128"', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'resnet-cli-killed-'));
  const child = spawn(
    process.execPath,
    ['dist/cli.cjs', 'train', 'examples/mnist/resnet8.resnet', '--dataset', 'synthetic', '--batch-size', '8', '--max-steps', '100000', '--backend', 'wasm', '--out', out, '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Once the worker has said something, it runs: kill it as the out-of-memory killer would.
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const workers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  assert.equal(workers.length, 1, `children: ${workers.join(' ')}`);
  process.kill(Number(workers[0]), 'SIGKILL');
  assert.equal(await exited, 1);
  assert.match(stderr, /the training worker was killed by SIGKILL/);
  assert.doesNotMatch(stderr, /code 128/);
});
