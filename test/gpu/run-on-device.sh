#!/usr/bin/env bash
# The GPU check of issue 10, as one command for a session lent the GPU device machine (an H200 with
# a CUDA PyTorch, no Node.js, no network). Trains CIFAR ResNet-20 (synthetic CIFAR-shaped data,
# batch 128) for a fixed number of steps on
#   (a) TF.js webgpu (Dawn on Vulkan), with our WGSL kernels and with TF.js's own,
#   (b) the PyTorch engine on CUDA, fp32, and bf16 + channels_last,
# and writes images/s of each, the ratio webgpu / PyTorch fp32 and the peak GPU memory (nvidia-smi,
# above the idle level) into $OUT: summary.txt (for people), results.jsonl (one line a run), log.txt.
#
# First, on a machine with npm: bash test/gpu/prepare-bundle.sh   (makes .gpu-bundle/, ~32 MiB)
# On the device:   run(command="bash test/gpu/run-on-device.sh", carry=[".gpu-bundle"], timeout_s=540)
# Anywhere, small:  bash test/gpu/run-on-device.sh --dry-run
#   (a three-stage CIFAR-shaped net of one narrow block a stage, test/gpu/dry-run.resnet, at batch 8
#   for 3 steps, since a software GPU compiles ResNet-20's shaders for minutes; with no GPU, webgpu runs on SwiftShader from Debian's
#   chromium; the CUDA runs are skipped with a line saying so, and where PyTorch runs on the CPU
#   a small CPU run checks the PyTorch half of the harness instead.)
# The PyTorch runs use the engine's --device cuda, --precision fp32|bf16 and --channels-last.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
B=$repo/.gpu-bundle
DRY=0
[ "${1:-}" = "--dry-run" ] && DRY=1
OUT=${OUT:-$repo/.gpu-out}
mkdir -p "$OUT"
summary=$OUT/summary.txt results=$OUT/results.jsonl log=$OUT/log.txt
: >"$summary"; : >"$results"; : >"$log"
say() { echo "$*" | tee -a "$summary"; }

if [ ! -s "$B/node.xz" ] || [ ! -s "$B/gpu-bench.cjs" ]; then
  say "no bundle at $B: run 'bash test/gpu/prepare-bundle.sh' on a machine with npm, then carry .gpu-bundle"
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xz -dc "$B/node.xz" >"$work/node" && chmod +x "$work/node"
mkdir -p "$work/dist/dawn/linux-x64"
cp -r "$B/dist/." "$work/dist/"
xz -dc "$B/dawn.node.xz" >"$work/dist/dawn/linux-x64/dawn.node"
NODE=$work/node

# Vulkan: the system's loader if there is one, else the carried one; NVIDIA's driver (ICD) where
# the device machine keeps it; with no GPU driver at all, SwiftShader (software) if chromium has it.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then export RESNET_STUDIO_VULKAN_LOADER=$B/vulkan/libvulkan.so.1; fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$nvidia_icd" ] || nvidia_icd=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
if [ -n "${VK_ICD_FILENAMES:-}" ]; then :
elif [ -n "$nvidia_icd" ] && [ -f "$nvidia_icd" ]; then export VK_ICD_FILENAMES=$nvidia_icd VK_DRIVER_FILES=$nvidia_icd
elif [ -f /usr/lib/chromium/vk_swiftshader_icd.json ]; then export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json
fi

if [ $DRY = 1 ]; then
  BATCH=8 WG_STEPS=3 WG_WARM=1 PT_STEPS=6 PT_WARM=2 MODEL=$B/dry-run.resnet MODEL_NAME=dryrun
else
  BATCH=128 WG_STEPS=60 WG_WARM=10 PT_STEPS=300 PT_WARM=30 MODEL=$B/resnet20.resnet MODEL_NAME=resnet20
fi
PY=${PYTHON:-python3}

say "== GPU check, $(date -u +%Y-%m-%dT%H:%MZ), $( [ $DRY = 1 ] && echo 'DRY RUN (tiny sizes)' || echo 'full sizes')"
say "machine: $(nproc) CPUs; GPU: $(nvidia-smi -L 2>/dev/null | head -1 || true)"
say "node $("$NODE" --version); python: $("$PY" -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda)' 2>/dev/null || echo 'no torch')"
say "model $MODEL_NAME ($(basename "$MODEL")), synthetic CIFAR-shaped data, batch $BATCH"

bench() { # label, timeout seconds, gpu-bench arguments…
  local label=$1 limit=$2
  shift 2
  echo "== $label" >>"$log"
  local line
  line=$(timeout "$limit" "$NODE" "$B/gpu-bench.cjs" --label "$label" --model "$MODEL" --model-name "$MODEL_NAME" --worker "$work/dist/worker.cjs" --batch "$BATCH" "$@" 2>>"$log" | tail -1)
  [ -n "$line" ] || line="{\"label\":\"$label\",\"ok\":false,\"failed\":\"no result (timed out after ${limit} s or crashed; see log.txt)\"}"
  echo "$line" >>"$results"
  "$NODE" -e '
    const r = JSON.parse(process.argv[1]);
    if (!r.ok) { console.log(`${r.label}: FAILED: ${r.failed ?? "exit " + r.exitCode}`); process.exit(); }
    const mem = r.peakGpuMemoryMiB === null || r.peakGpuMemoryMiB === undefined ? "n/a (no nvidia-smi)" : `${r.peakGpuMemoryMiB} MiB`;
    console.log(`${r.label}: ${r.imagesPerSec.toFixed(1)} img/s (median step ${(r.medianStepSeconds * 1000).toFixed(1)} ms over ${r.timedSteps} steps), peak GPU memory ${mem}, loss ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(3)}; ${r.backend} on ${r.device}`);
  ' "$line" | tee -a "$summary"
}

# (a) TF.js webgpu, with our WGSL filter gradient, then (full runs only) with TF.js's own for comparison
bench webgpu $([ $DRY = 1 ] && echo 480 || echo 240) --backend webgpu --steps $WG_STEPS --warmup $WG_WARM --train-images $((BATCH * 30))
if [ $DRY = 0 ]; then
  RESNET_STUDIO_WEBGPU_STOCK_KERNELS=1 bench webgpu-stock-kernels 180 --backend webgpu --steps 30 --warmup 10 --train-images $((BATCH * 30))
fi

# (b) PyTorch on CUDA
if "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>>"$log"; then
  bench pytorch-cuda-fp32 150 --engine pytorch --python "$PY" --device cuda --precision fp32 --steps $PT_STEPS --warmup $PT_WARM --train-images $((BATCH * 40))
  bench pytorch-cuda-bf16-channels-last 150 --engine pytorch --python "$PY" --device cuda --precision bf16 --channels-last --steps $PT_STEPS --warmup $PT_WARM --train-images $((BATCH * 40))
else
  say "no CUDA here (torch.cuda.is_available() is false, or no torch): skipping the PyTorch CUDA runs (b)"
  if [ $DRY = 1 ] && "$PY" -c 'import torch' 2>/dev/null; then
    bench pytorch-cpu-dry-run 300 --engine pytorch --python "$PY" --device cpu --precision fp32 --steps $PT_STEPS --warmup $PT_WARM --train-images $((BATCH * 40))
  fi
fi

# The ratio and the issue's goals.
"$NODE" -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const by = (l) => rows.find((r) => r.label === l && r.ok);
  const wg = by("webgpu"), fp32 = by("pytorch-cuda-fp32"), bf16 = by("pytorch-cuda-bf16-channels-last");
  if (wg && fp32) console.log(`ratio webgpu / PyTorch CUDA fp32: ${(wg.imagesPerSec / fp32.imagesPerSec).toFixed(3)} (goal: at least 0.5)`);
  else console.log("ratio webgpu / PyTorch CUDA fp32: not measured (a run is missing)");
  if (bf16) console.log(`PyTorch bf16 + channels_last: ${bf16.imagesPerSec.toFixed(0)} img/s (goal on an H200: at least 20000)`);
' "$results" | tee -a "$summary"
say "files: $summary, $results, $log"
