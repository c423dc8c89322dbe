// Installs an optional native TF.js backend (tfjs-node or tfjs-node-gpu) into a folder of its own
// (the extension's storage, or one the user names), then checks that it loads. Every way this can
// fail becomes a message that says what is missing and how to get it.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How to get each native backend, for the messages that say one could not be loaded or installed. */
export const BACKEND_HELP: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu':
    'install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (or the command "ResNet: Install Training Backend"); it needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 (it does not load with CUDA 12), and network access to download libtensorflow',
  'tfjs-node': 'install it with `npm install @tensorflow/tfjs-node@4.22.0` (or the command "ResNet: Install Training Backend"); it downloads libtensorflow from Google storage at install time',
};

export type NativeBackend = 'tfjs-node' | 'tfjs-node-gpu';
export const NATIVE_BACKEND_VERSION = '4.22.0';

export interface InstallResult {
  readonly ok: boolean;
  /** For a person: what happened, and on failure what to do. */
  readonly message: string;
}

export async function installNativeBackend(
  backend: NativeBackend,
  dir: string,
  onProgress: (line: string) => void = () => undefined,
  npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm',
): Promise<InstallResult> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'resnet-studio-backends', private: true }, null, 2));
  const pkg = `@tensorflow/${backend}@${NATIVE_BACKEND_VERSION}`;
  onProgress(`npm install ${pkg} (it downloads libtensorflow at install time)…`);
  const install = await run(npmCommand, ['install', '--no-audit', '--no-fund', '--foreground-scripts', pkg], dir, onProgress);
  if (install.code !== 0) return { ok: false, message: explainInstallFailure(backend, install.output) };
  onProgress('checking that it loads…');
  const check = await run(process.execPath, ['-e', `require('@tensorflow/${backend}'); const tf = require('@tensorflow/tfjs'); console.log(tf.getBackend())`], dir, onProgress);
  if (check.code !== 0) return { ok: false, message: explainLoadFailure(backend, check.output) };
  return { ok: true, message: `${backend} ${NATIVE_BACKEND_VERSION} is installed in ${dir} and loads; training picks it automatically (backend "auto").` };
}

export function explainInstallFailure(backend: NativeBackend, output: string): string {
  const tail = lastLines(output, 3);
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|network/i.test(output)) {
    const where = /storage\.googleapis\.com|libtensorflow/i.test(output) ? 'Google storage (where libtensorflow is downloaded from)' : 'the npm registry';
    return `installing ${backend} failed: no network access to ${where}. Connect to the internet (or set a proxy for npm) and try again; meanwhile training uses the wasm backend. (${tail})`;
  }
  if (/EACCES|EPERM/.test(output)) return `installing ${backend} failed: permission denied while writing the backend folder. Choose a folder you can write to. (${tail})`;
  if (/node-pre-gyp|gyp ERR|prebuilt/i.test(output)) {
    return `installing ${backend} failed: no prebuilt libtensorflow binding fits this platform and Node.js ${process.version}, and building one failed. tfjs-node 4.22 supports Linux x64, macOS and Windows x64. (${tail})`;
  }
  return `installing ${backend} failed; ${BACKEND_HELP[backend]}. (${tail})`;
}

export function explainLoadFailure(backend: NativeBackend, output: string): string {
  const tail = lastLines(output, 2);
  if (/libcudart\.so\.11|libcudnn|cuda/i.test(output)) {
    return `${backend} is installed but cannot load CUDA: it needs CUDA 11.2 and cuDNN 8.1 exactly (CUDA 12 does not work). Install those (or use tfjs-node for the CPU, or the PyTorch engine for current GPUs). (${tail})`;
  }
  return `${backend} is installed but does not load: ${tail}`;
}

function lastLines(text: string, n: number): string {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join(' | ')
    .slice(0, 400);
}

function run(command: string, args: string[], cwd: string, onLine: (line: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { cwd, env: process.env });
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => resolve({ code: 1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Where the CLI installs native backends and the worker looks for them (the extension uses its own storage). */
export function defaultBackendDir(): string {
  return process.env.RESNET_STUDIO_BACKENDS ?? join(homedir(), '.resnet-studio', 'backends');
}
