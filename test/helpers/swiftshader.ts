// Finds SwiftShader, the software Vulkan GPU that Debian's chromium package brings, so the webgpu
// tests run on a machine with no GPU (this one, CI). Without it (a laptop with no chromium) the
// tests skip and say why; in CI (CI=true) they fail instead, since CI installs chromium.
import { existsSync } from 'node:fs';
import { skipUnless } from './needs';

const PLACES = [
  { icd: '/usr/lib/chromium/vk_swiftshader_icd.json', loader: '/usr/lib/chromium/libvulkan.so.1' },
  { icd: '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', loader: '/usr/lib64/chromium-browser/libvulkan.so.1' },
];

/** The environment that makes Dawn see SwiftShader as its only adapter, or why there is none. */
export function swiftShaderEnv(): { env: Record<string, string> } | { skip: string } {
  if (process.platform !== 'linux') return { skip: 'SwiftShader through chromium is only set up on Linux' };
  const found = PLACES.find((p) => existsSync(p.icd) && existsSync(p.loader));
  if (!found) {
    return { skip: skipUnless("SwiftShader not found (install Debian's chromium: `apt-get install chromium`; it brings /usr/lib/chromium/vk_swiftshader_icd.json)") ?? '' };
  }
  return { env: { VK_ICD_FILENAMES: found.icd, VK_DRIVER_FILES: found.icd, RESNET_STUDIO_VULKAN_LOADER: found.loader } };
}

/** Puts SwiftShader's environment into this process (before Dawn loads); returns a skip reason if absent. */
export function useSwiftShaderHere(): string | undefined {
  const found = swiftShaderEnv();
  if ('skip' in found) return found.skip;
  Object.assign(process.env, found.env);
  return undefined;
}
