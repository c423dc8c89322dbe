// Opens a GPU for TF.js's `webgpu` backend through Dawn (Chrome's WebGPU) built for Node, the npm
// package `webgpu`. Only the training worker loads this: dawn.node is a native module of 21 MB.
// It finds the platform's dawn.node (next to the bundle in the packaged extension, in
// node_modules when run from source), asks for an adapter, and describes it for a person,
// including whether it is a software rasterizer (SwiftShader, llvmpipe, WARP) that `auto` skips.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** What a person (and the `started` message) needs to know about the GPU a run uses. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A CPU pretending to be a GPU: correct but slower than wasm. */
  readonly software: boolean;
  /** The largest single buffer the device accepts, in bytes (it bounds the largest tensor). */
  readonly maxBufferSize: number;
  /** Dawn's backend: vulkan (Linux), metal (macOS), d3d12 (Windows). */
  readonly api: string;
}

/** Dawn's adapters carry `info` (WebGPU since 2024); the WebGPU types TF.js pins (@webgpu/types 0.1.38) predate it. */
export type DawnAdapter = GPUAdapter & { readonly info: GPUAdapterInfo & { isFallbackAdapter?: boolean } };

export type AdapterAttempt = { ok: true; adapter: DawnAdapter; gpu: GPU; summary: AdapterSummary } | { ok: false; why: string };

interface Dawn {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The native API Dawn is asked to use on each platform (Vulkan on Linux covers NVIDIA, AMD and Intel). */
export function dawnApi(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'metal' : platform === 'win32' ? 'd3d12' : 'vulkan';
}

/** The folder name the `webgpu` package (and our bundle) keeps each platform's dawn.node in. */
export function dawnPlatformDir(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `${platform}-${platform === 'darwin' ? 'universal' : arch}`;
}

/** Where dawn.node may be: dist/dawn/<platform>/ beside the bundle (packaged), else the `webgpu` package. */
export function dawnCandidates(bundleDir: string | undefined = typeof __dirname === 'string' ? __dirname : undefined): string[] {
  const sub = dawnPlatformDir();
  const places: string[] = [];
  if (bundleDir) places.push(join(bundleDir, 'dawn', sub, 'dawn.node'));
  for (const base of [typeof __filename === 'string' ? __filename : '', join(process.cwd(), 'package.json')]) {
    if (!base) continue;
    try {
      places.push(join(dirname(createRequire(base).resolve('webgpu/package.json')), 'dist', sub, 'dawn.node'));
    } catch {
      // not resolvable from there
    }
  }
  return [...new Set(places)];
}

let dawn: Dawn | undefined;
let gpuInstance: GPU | undefined;

function loadDawn(): Dawn | string {
  if (dawn) return dawn;
  const found = dawnCandidates().find((p) => existsSync(p));
  if (!found) return `no Dawn binary (dawn.node) for ${dawnPlatformDir()} in this installation; the webgpu backend ships for linux-x64, linux-arm64, darwin, win32-x64 and win32-arm64`;
  preloadVulkanLoader();
  try {
    dawn = createRequire(found)(found) as Dawn;
    // WebGPU's classes and constants (GPUBufferUsage, …) as a browser has them, for TF.js.
    Object.assign(globalThis, dawn.globals);
    return dawn;
  } catch (error) {
    return `Dawn (${found}) did not load: ${firstLine(error)}`;
  }
}

/**
 * A machine without a system Vulkan loader (no `libvulkan1` package: CI, the GPU device machine)
 * can name one in RESNET_STUDIO_VULKAN_LOADER; it is loaded once, globally, before Dawn looks for
 * `libvulkan.so.1`, so Dawn finds it by its soname. The ICD (the driver) still comes from the
 * standard variables (VK_ICD_FILENAMES / VK_DRIVER_FILES) or the system's.
 */
function preloadVulkanLoader(): void {
  const loader = process.env.RESNET_STUDIO_VULKAN_LOADER;
  if (!loader || process.platform !== 'linux') return;
  const RTLD_NODELETE = 0x1000; // Linux's value; Node's os.constants.dlopen does not list it.
  try {
    process.dlopen({ exports: {} }, loader, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch (error) {
    // A plain shared library is not a Node addon: "did not self-register" is expected, and with
    // RTLD_NODELETE the library stays loaded. Anything else means the path is wrong.
    if (!/self-register/.test(firstLine(error))) throw new Error(`RESNET_STUDIO_VULKAN_LOADER=${loader} could not be loaded: ${firstLine(error)}`);
  }
}

/** Rasterizers that run on the CPU, by the names their adapters report. */
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|microsoft basic render/i;

export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  return SOFTWARE.test([info.vendor, info.architecture, info.description, info.device].filter(Boolean).join(' '));
}

/** Asks Dawn for its best adapter (high-performance preference: the discrete GPU on a laptop with two). */
export async function openAdapter(): Promise<AdapterAttempt> {
  const loaded = loadDawn();
  if (typeof loaded === 'string') return { ok: false, why: loaded };
  const api = dawnApi();
  try {
    gpuInstance ??= loaded.create([`backend=${api}`]);
    const adapter = (await gpuInstance.requestAdapter({ powerPreference: 'high-performance' })) as DawnAdapter | null;
    if (!adapter) return { ok: false, why: noAdapterHelp(api) };
    const info = adapter.info;
    const summary: AdapterSummary = {
      vendor: info.vendor || 'unknown vendor',
      architecture: info.architecture || 'unknown architecture',
      description: info.description || info.device || 'no description',
      software: isSoftwareAdapter(info),
      maxBufferSize: adapter.limits.maxBufferSize,
      api,
    };
    return { ok: true, adapter, gpu: gpuInstance, summary };
  } catch (error) {
    return { ok: false, why: `Dawn could not open a GPU: ${firstLine(error)}` };
  }
}

function noAdapterHelp(api: string): string {
  if (api === 'vulkan') return "no Vulkan GPU was found (install your GPU's Vulkan driver and the Vulkan loader, e.g. `apt install libvulkan1 mesa-vulkan-drivers` or NVIDIA's driver)";
  if (api === 'metal') return 'no Metal GPU was found';
  return 'no Direct3D 12 GPU was found (update the graphics driver)';
}

/** One line for the dashboard header and the CLI: which GPU, whether it is software, its largest buffer. */
export function describeAdapter(a: AdapterSummary): string {
  const what = a.software ? 'software GPU' : 'GPU';
  const soft = a.software ? ', software: runs on the CPU, slower than wasm' : '';
  return `${what} ${a.description} (${a.vendor}, ${a.architecture}, WebGPU on ${a.api}${soft}; max buffer ${formatBytes(a.maxBufferSize)})`;
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  return `${n} B`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
