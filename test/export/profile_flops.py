# Counts FLOPs of exported models with PyTorch 1.13's own profiler, for test/core/conventions.test.ts:
# torch.profiler.profile(with_flops=True) over one eval-mode forward pass of one image. The profiler
# counts 2 per multiply-add for aten::conv2d and aten::addmm/mm (the `flops` convention); its
# elementwise aten::add and aten::mul are reported apart. One JSON line per model.
# Usage: python3 profile_flops.py MANIFEST.json   (a list of {"path", "class", "id"})
import sys

import torch
from peer import load, run_manifest
from torch.profiler import ProfilerActivity, profile

torch.set_num_threads(1)
MATRIX_OPS = {"aten::conv2d", "aten::addmm", "aten::mm"}


def measure(entry):
    model = getattr(load(entry["path"]), entry["class"])().eval()
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        model(torch.zeros(1, *model.input_shape))
    return {
        "matrixFlops": sum(e.flops for e in prof.events() if e.name in MATRIX_OPS),
        "otherFlops": sum(e.flops for e in prof.events() if e.name not in MATRIX_OPS and e.flops),
    }


run_manifest(sys.argv[1], measure)
