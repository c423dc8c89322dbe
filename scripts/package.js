// Builds the extension's platform-specific packages, as VS Code's marketplace expects: each .vsix
// carries only its own platform's dawn.node (the webgpu backend's native Dawn, 21 MB a platform).
// Usage: node scripts/package.js            this machine's target → resnet-studio.vsix
//        node scripts/package.js --all      every target → resnet-studio-<target>.vsix
//        node scripts/package.js --target darwin-arm64
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const host = `${process.platform}-${process.arch}`;
const args = process.argv.slice(2);
const targetIndex = args.indexOf('--target');
const targets = args.includes('--all') ? TARGETS : [targetIndex >= 0 ? args[targetIndex + 1] : host];

for (const target of targets) {
  if (!TARGETS.includes(target)) throw new Error(`package.js: unknown target ${target}; targets: ${TARGETS.join(', ')}`);
  // One host package keeps the plain name that the README and the end-to-end tests install.
  const out = args.includes('--all') ? `resnet-studio-${target}.vsix` : 'resnet-studio.vsix';
  run(process.execPath, ['esbuild.js', '--production', '--target', target]);
  run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['vsce', 'package', '--target', target, '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out]);
  console.log(`${out}: ${target}, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB`);
}

function run(command, argv) {
  const result = spawnSync(command, argv, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
