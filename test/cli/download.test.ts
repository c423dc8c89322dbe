// `resnet-studio download cifar10`, run as users run it (the built dist/cli.cjs in a child process),
// against an HTTP server on 127.0.0.1 serving a small archive in the CIFAR-10 layout; the URL and
// MD5 come from $RESNET_STUDIO_CIFAR10_URL and $RESNET_STUDIO_CIFAR10_MD5, so nothing leaves 127.0.0.1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runDownload } from '../../src/cli/download';
import { CIFAR10_MD5 } from '../../src/training/data/download';
import { makeCifarArchive, serve, serveCut, serveFile, tempDir } from '../helpers/cifarArchive';

const tmp = tempDir('download-cli-');
after(tmp.remove);

/** Runs the CLI without blocking this process, which serves the archive meanwhile. */
function cli(args: string[], env: Record<string, string>, cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.resolve('dist/cli.cjs'), ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

test('download cifar10: progress on stderr, the folder and the train command on stdout; a second run finds it ready', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/cifar-10-binary.tar.gz': serveFile(archive.data) });
  const env = { RESNET_STUDIO_CIFAR10_URL: `${server.base}/cifar-10-binary.tar.gz`, RESNET_STUDIO_CIFAR10_MD5: archive.md5 };
  const dir = path.join(tmp.fresh(), 'my data');
  try {
    const r = await cli(['download', 'cifar10', '--data-dir', dir], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^downloading\s+\[#{24}\] 100%/m);
    assert.match(r.stderr, /^extracting\s+\[#{24}\] 100%/m);
    assert.equal(r.stdout, `CIFAR-10 is ready in ${path.join(dir, 'cifar-10-batches-bin')}\ntrain with: resnet-studio train FILE --dataset cifar10 --data-dir ${JSON.stringify(dir)}\n`);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'cifar-10-batches-bin', 'data_batch_1.bin')), archive.records['data_batch_1.bin']);

    const again = await cli(['download', 'cifar10', '--data-dir', dir], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^CIFAR-10 is already in /);
    assert.equal(server.ranges.length, 1, 'the second run asked nothing');
  } finally {
    await server.close();
  }
});

test('download cifar10 without --data-dir puts it in ./data', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/a.tar.gz': serveFile(archive.data) });
  const cwd = tmp.fresh();
  try {
    const r = await cli(['download', 'cifar10'], { RESNET_STUDIO_CIFAR10_URL: `${server.base}/a.tar.gz`, RESNET_STUDIO_CIFAR10_MD5: archive.md5 }, cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(cwd, 'data', 'cifar-10-batches-bin', 'test_batch.bin')));
  } finally {
    await server.close();
  }
});

test('an interrupted download exits 1 saying how to resume; running it again resumes with a Range request', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const cut = Math.floor(archive.data.length / 3);
  const server = await serve({ '/c.tar.gz': (req, res, attempt) => (attempt === 0 ? serveCut(archive.data, cut) : serveFile(archive.data))(req, res, attempt) });
  const env = { RESNET_STUDIO_CIFAR10_URL: `${server.base}/c.tar.gz`, RESNET_STUDIO_CIFAR10_MD5: archive.md5 };
  const dir = tmp.fresh();
  try {
    const first = await cli(['download', 'cifar10', '--data-dir', dir], env);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /resnet-studio: The download of .* stopped after .*run the download again to resume/s);
    assert.doesNotMatch(first.stderr, /\n\s+at /, 'no stack trace');

    const second = await cli(['download', 'cifar10', '--data-dir', dir], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /\(resumed at /);
    assert.deepEqual(server.ranges, ['', `bytes=${cut}-`]);
  } finally {
    await server.close();
  }
});

test('a corrupt archive exits 1 with both checksums and leaves nothing behind', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/c.tar.gz': serveFile(archive.data) });
  const dir = tmp.fresh();
  try {
    // No $RESNET_STUDIO_CIFAR10_MD5: the published checksum, which this small archive cannot match.
    const r = await cli(['download', 'cifar10', '--data-dir', dir], { RESNET_STUDIO_CIFAR10_URL: `${server.base}/c.tar.gz` });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`has MD5 ${archive.md5}, but the CIFAR-10 binary archive's published MD5 is ${CIFAR10_MD5}; it was deleted`));
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    await server.close();
  }
});

test('download: wrong data set or extra arguments exit 2 with the usage; --help prints it', async () => {
  const wrong = await cli(['download', 'imagenet'], {});
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /download takes the data set cifar10, not "imagenet"/);
  assert.match(wrong.stderr, /Usage: resnet-studio download cifar10 \[--data-dir DIR\]/);
  const help = await cli(['download', '--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /RESNET_STUDIO_CIFAR10_URL/);
  assert.match(help.stdout, /Exit codes: 0/);
});

test('on a terminal the bar is redrawn in place with a carriage return, and the line is closed at the end', async () => {
  const archive = await makeCifarArchive(tmp.fresh());
  const server = await serve({ '/t.tar.gz': serveFile(archive.data) });
  const saved = { url: process.env.RESNET_STUDIO_CIFAR10_URL, md5: process.env.RESNET_STUDIO_CIFAR10_MD5 };
  process.env.RESNET_STUDIO_CIFAR10_URL = `${server.base}/t.tar.gz`;
  process.env.RESNET_STUDIO_CIFAR10_MD5 = archive.md5;
  let screen = '';
  const lines: string[] = [];
  try {
    const code = await runDownload('cifar10', tmp.fresh(), { print: (l) => lines.push(l), error: (l) => lines.push(l) }, { isTTY: true, write: (t) => (screen += t) });
    assert.equal(code, 0);
    assert.match(screen, /^\rdownloading {2}\[/);
    assert.match(screen, /\rdownloading {2}\[#{24}\] 100% {2}[\d.]+ KiB {2}of [\d.]+ KiB.*\x1b\[K\n\rextracting/);
    assert.ok(screen.endsWith('\n'));
    assert.match(lines[0] ?? '', /^CIFAR-10 is ready in /);
  } finally {
    for (const [key, value] of [
      ['RESNET_STUDIO_CIFAR10_URL', saved.url],
      ['RESNET_STUDIO_CIFAR10_MD5', saved.md5],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await server.close();
  }
});
