// `resnet-studio export`: output, files, every way the command line can be wrong, as messages
// with the exit codes of the other commands (1: the input has errors, 2: the command line or a file).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../src/cli/cliError';
import { exportHelp, runExport, type ExportOptions } from '../../src/cli/export';
import { main } from '../../src/cli/main';
import type { Output } from '../../src/cli/output';

function collector(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, print: (l) => stdout.push(l), error: (l) => stderr.push(l) };
}

/** Runs the command as main.ts does: a CliError becomes its message and exit code. */
function exportCommand(file: string | undefined, options: ExportOptions = {}) {
  const out = collector();
  try {
    return { code: runExport(file, options, out), ...out };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    out.error(`resnet-studio: ${error.message}`);
    return { code: error.exitCode, ...out };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'resnet-export-cli-'));

test('export prints one module with every model of the file and a header that says how to regenerate it', () => {
  const r = exportCommand('examples/cifar/family.resnet');
  assert.equal(r.code, 0);
  const text = r.stdout.join('\n');
  for (const name of ['resnet20', 'resnet32', 'resnet44', 'resnet56']) assert.match(text, new RegExp(`^class ${name}\\(nn\\.Module\\):`, 'm'));
  // The four models share one block class.
  assert.equal(text.match(/^class basic\(/gm)?.length, 1);
  assert.match(text, /^# PyTorch version of resnet20, resnet32, resnet44, resnet56 from family\.resnet, written by ResNet Studio \(resnet-studio export family\.resnet --format pytorch\)/);
  assert.match(text, /MODELS: dict\[str, type\[nn\.Module\]\] = \{"resnet20": resnet20, "resnet32": resnet32, "resnet44": resnet44, "resnet56": resnet56\}/);
});

test('export --model picks one model; stages, blocks and layers cite their lines', () => {
  const r = exportCommand('examples/imagenet/resnet50.resnet', { model: 'resnet50', format: 'pytorch' });
  assert.equal(r.code, 0);
  const text = r.stdout.join('\n');
  assert.match(
    text,
    /# conv3_x bottleneck\(128\) x 4, stride 2 {2}\(resnet50\.resnet:10\)\n {8}self\.conv3_x = nn\.Sequential\(\n {12}bottleneck\(256, 128, 512, stride=2, shortcut=projection\(256, 512, stride=2\)\), {2}# resnet50\.resnet:10/,
  );
  assert.match(text, /\("conv1", nn\.Conv2d\(3, 64, 7, stride=2, padding=3, bias=False\)\), {2}# resnet50\.resnet:7/);
  assert.match(text, /\("maxpool1", nn\.MaxPool2d\(3, stride=2, padding=1\)\), {2}# resnet50\.resnet:8/);
  // Paper v1: the stride is on the first 1×1 of the bottleneck.
  assert.match(text, /self\.conv1 = nn\.Conv2d\(in_channels, width, 1, stride=stride, bias=False\)/);
});

test('export -o writes the file and says what it holds; an unimportable name gets a note', () => {
  const path = join(dir, 'resnet20.py');
  const r = exportCommand('examples/cifar/resnet20.resnet', { out: path });
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout, []);
  assert.deepEqual(r.stderr, [`wrote ${path}: resnet20 (269,722 parameters)`]);
  assert.match(readFileSync(path, 'utf8'), /^class resnet20\(nn\.Module\):$/m);
  const dashed = exportCommand('examples/cifar/resnet20.resnet', { out: join(dir, 'resnet-20.py') });
  assert.equal(dashed.code, 0);
  assert.match(dashed.stderr[1], /^note: Python cannot import resnet-20\.py by name; call it e\.g\. resnet_20\.py/);
});

test('export: bad input is a message naming the place and the fix, never a stack trace', () => {
  const missing = exportCommand(undefined);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr[0], /^resnet-studio: export needs a file\n\nUsage: resnet-studio export FILE/);

  const format = exportCommand('examples/cifar/resnet20.resnet', { format: 'onnx' });
  assert.equal(format.code, 2);
  assert.deepEqual(format.stderr, ['resnet-studio: --format takes pytorch, not "onnx"']);

  const model = exportCommand('examples/cifar/family.resnet', { model: 'resnet18' });
  assert.equal(model.code, 1);
  assert.deepEqual(model.stderr, ['resnet-studio: examples/cifar/family.resnet has no model named resnet18; its models: resnet20, resnet32, resnet44, resnet56']);

  const unreadable = exportCommand(join(dir, 'nope.resnet'));
  assert.equal(unreadable.code, 2);
  assert.match(unreadable.stderr[0], /cannot read .*nope\.resnet: no such file/);

  const bad = join(dir, 'bad.resnet');
  writeFileSync(bad, 'model m {\n  input 32x32x3, classes 10\n  shortcut identity\n  s basic(16) x 2, stride 2\n  head avgpool, fc 10\n}\n');
  const errors = exportCommand(bad);
  assert.equal(errors.code, 1);
  assert.match(errors.stderr[0], /bad\.resnet:4:5: error: shortcut adds 32×32×3 to 16×16×16/);
  assert.match(errors.stderr[1], /has an error; fix it before exporting$/);

  const unwritable = exportCommand('examples/cifar/resnet20.resnet', { out: join(dir, 'no-such-folder', 'x.py') });
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr[0], /cannot write .*x\.py: its folder does not exist$/);
});

test('resnet-studio export through the command line', async () => {
  const probe = collector();
  await main(['export', '--help'], probe);
  assert.equal(probe.stdout.join('\n'), exportHelp);
  const out = collector();
  const path = join(dir, 'via_main.py');
  assert.equal(await main(['export', 'examples/mnist/resnet8.resnet', '--format', 'pytorch', '-o', path], out), 0);
  assert.match(readFileSync(path, 'utf8'), /^class resnet8\(nn\.Module\):$/m);
  const wrong = collector();
  assert.equal(await main(['export', 'examples/mnist/resnet8.resnet', '--formt', 'pytorch'], wrong), 2);
  assert.match(wrong.stderr[0], /--formt/);
});
