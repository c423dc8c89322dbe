// The extension's mocha suite in desktop VS Code through @vscode/test-electron. It needs a desktop
// VS Code: VSCODE_EXECUTABLE may point at an installed one; otherwise @vscode/test-electron
// downloads one from Microsoft's update server, which works on a laptop or a public CI but not on
// machines without that network access — there the test is skipped and says so. (Here, the same
// checks run in a real VS Code from code-server: test/server/extension.e2e.test.ts.)
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const repoRoot = process.cwd();

async function desktopVSCode(): Promise<{ path: string } | { skip: string }> {
  if (process.env.VSCODE_EXECUTABLE) return { path: process.env.VSCODE_EXECUTABLE };
  try {
    const download = downloadAndUnzipVSCode({ version: 'stable', cachePath: join(repoRoot, '.vscode-test') });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer from the update server within 60 s')), 60_000).unref());
    return { path: await Promise.race([download, timeout]) };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skip: `no desktop VS Code: downloading it failed (${reason}); set VSCODE_EXECUTABLE to an installed VS Code to run this suite` };
  }
}

test('the extension in desktop VS Code (@vscode/test-electron + mocha)', { timeout: 600_000 }, async (t) => {
  const vscode = await desktopVSCode();
  if ('skip' in vscode) {
    t.skip(vscode.skip);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'resnet-electron-'));
  const suite = join(work, 'suite', 'index.cjs');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test/electron/suite/index.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const workspace = join(work, 'workspace');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'resnet50.resnet'), readFileSync(join(repoRoot, 'examples/imagenet/resnet50.resnet')));
  writeFileSync(
    join(workspace, 'broken.resnet'),
    'model broken {\n  input 224x224x3, classes 1000\n  shortcut identity\n  conv1 conv 7x7, 64, stride 2, bn, relu\n        maxpool 3x3, stride 2\n  conv2_x basic(64) x 2\n  conv3_x basic(128) x 2, stride 2\n  head avgpool, fc 1000\n}\n',
  );
  await runTests({
    vscodeExecutablePath: vscode.path,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { NODE_PATH: join(repoRoot, 'node_modules') },
  });
});
