// `resnet-studio install-backend tfjs-node|tfjs-node-gpu`: the native TF.js backends are optional
// (they download libtensorflow when installed); this installs one where training will find it.
import { defaultBackendDir, installNativeBackend, type NativeBackend } from '../training/tfjs/backendInstall';
import { CliError } from './cliError';
import type { Output } from './output';

export const installBackendHelp = `Usage: resnet-studio install-backend tfjs-node|tfjs-node-gpu [--dir DIR]

Installs an optional native TensorFlow.js backend where \`resnet-studio train\` finds it
(default ~/.resnet-studio/backends, or $RESNET_STUDIO_BACKENDS). tfjs-node trains on the CPU
with libtensorflow; tfjs-node-gpu on an NVIDIA GPU and needs CUDA 11.2 with cuDNN 8.1.
Both download libtensorflow from Google storage while installing.`;

export async function runInstallBackend(name: string | undefined, dir: string | undefined, out: Output): Promise<number> {
  if (name !== 'tfjs-node' && name !== 'tfjs-node-gpu') throw new CliError(`install-backend takes tfjs-node or tfjs-node-gpu${name ? `, not ${JSON.stringify(name)}` : ''}\n\n${installBackendHelp}`);
  const target = dir ?? defaultBackendDir();
  const result = await installNativeBackend(name as NativeBackend, target, (line) => out.error(`  ${line}`));
  if (result.ok) {
    out.print(result.message);
    return 0;
  }
  out.error(`resnet-studio: ${result.message}`);
  return 1;
}
