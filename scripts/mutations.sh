#!/usr/bin/env bash
# Mutation check (docs/testing.md): each mutation below breaks the product on purpose, in a scratch
# git worktree of HEAD, and runs the tests that should catch it; a mutation every test survives is
# a hole in the suite. Prints one line per mutation with the pass and fail counts and the first
# failing tests. Usage: bash scripts/mutations.sh   (about 10 minutes on a 2-core machine)
set -u
repo=$(git rev-parse --show-toplevel)
scratch=$(mktemp -d /tmp/resnet-mutations-XXXXXX)
git -C "$repo" worktree add -q --detach "$scratch" HEAD
ln -s "$repo/node_modules" "$scratch/node_modules"
trap 'git -C "$repo" worktree remove --force "$scratch"' EXIT
cd "$scratch"

mutate() {
  local name="$1" file="$2" old="$3" new="$4"; shift 4
  git checkout -q -- .
  node -e '
    const fs = require("fs");
    const [file, old, replacement] = process.argv.slice(1);
    const text = fs.readFileSync(file, "utf8");
    if (!text.includes(old)) { console.error(`${file}: the text to mutate is gone: ${old}`); process.exit(3); }
    fs.writeFileSync(file, text.replace(old, replacement));
  ' "$file" "$old" "$new" || { echo "MUTATION $name: could not apply"; return; }
  node esbuild.js > /dev/null 2>&1
  local out; out=$(CI=true node --import tsx --test "$@" 2>&1)
  local pass fail failed
  pass=$(echo "$out" | grep -E '^# pass' | awk '{print $3}')
  fail=$(echo "$out" | grep -E '^# fail' | awk '{print $3}')
  failed=$(echo "$out" | grep -E '^ *not ok' | sed 's/^ *//' | head -3 | tr '\n' ';')
  echo "MUTATION $name: pass=$pass fail=$fail${fail:+ :: }$failed"
  git checkout -q -- .
}

mutate "1 conv/pool output size floor -> ceil" src/core/analysis/shape.ts \
  "if (!ceil) return Math.floor((size + 2 * padding - kernel) / stride) + 1;" \
  "if (!ceil) return Math.ceil((size + 2 * padding - kernel) / stride) + 1;" \
  test/core/figures.test.ts test/core/analysis.test.ts test/peers/peers.test.ts
mutate "2 option A counts +1 parameter per zero-pad shortcut" src/core/analysis/expand.ts \
  "  const cost = sumCosts(parts, join ? shapeElements(joined) : 0);" \
  "  if (join?.kind === 'zeropad') parts.push({ params: 1, nonTrainable: 0, macs: 0, activations: 0 });
  const cost = sumCosts(parts, join ? shapeElements(joined) : 0);" \
  test/core/figures.test.ts test/peers/peers.test.ts
mutate "3 BatchNorm statistics 2c -> 2c+1" src/core/analysis/layers.ts \
  "      nonTrainable = 2 * c;" "      nonTrainable = 2 * c + 1;" \
  test/peers/peers.test.ts test/core/analysis.test.ts
mutate "4 default padding floor((k-1)/2) -> floor(k/2)" src/core/analysis/layers.ts \
  "  return [Math.floor((k[0] - 1) / 2), Math.floor((k[1] - 1) / 2)];" \
  "  return [Math.floor(k[0] / 2), Math.floor(k[1] / 2)];" \
  test/peers/peers.test.ts test/core/analysis.test.ts
mutate "5 findPython refuses every torch" src/training/pytorch/python.ts \
  "  const probe = runProbe(command);" \
  "  const probe = runProbe(command);
  throw new PyTorchEngineError('refused');" \
  test/training/pytorchSafety.test.ts test/export/generatedPython.test.ts
mutate "6 analyzer: fc layers counted without their bias" src/core/analysis/layers.ts \
  "      params = inputs * spec.units + (spec.bias ? spec.units : 0);" "      params = inputs * spec.units;" \
  test/peers/peers.test.ts
mutate "7 engine: augmentation crops without the padding offset" src/training/data/augment.ts \
  "    const sy = y + offsetY - pad;" "    const sy = y + offsetY;" \
  test/training/data-augment.test.ts test/training/pytorch.test.ts
mutate "8 webview: decimate hands back the run's own arrays (the frozen first-run chart)" webview/dashboard/decimate.ts \
  "  if (count <= POINTS_PER_COLUMN * Math.max(1, columns)) return { x: x.slice(start, end), ys: ys.map((y) => y.slice(start, end)) };" \
  "  if (count <= POINTS_PER_COLUMN * Math.max(1, columns)) return start === 0 && end === x.length ? data : { x: x.slice(start, end), ys: ys.map((y) => y.slice(start, end)) };" \
  test/webview/dashboardPage.test.ts
