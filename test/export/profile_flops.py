# Counts FLOPs of exported models with PyTorch 1.13's own profiler, for test/core/conventions.test.ts:
# torch.profiler.profile(with_flops=True) over one eval-mode forward pass of one image. The profiler
# counts 2 per multiply-add for aten::conv2d and aten::addmm/mm (the `flops` convention); its
# elementwise aten::add and aten::mul are reported apart. One JSON line per model.
# Usage: python3 profile_flops.py MANIFEST.json   (a list of {"path", "class", "id"})
import importlib.util
import json
import sys

import torch
from torch.profiler import ProfilerActivity, profile

torch.set_num_threads(1)
MATRIX_OPS = {"aten::conv2d", "aten::addmm", "aten::mm"}

for index, entry in enumerate(json.load(open(sys.argv[1]))):
    spec = importlib.util.spec_from_file_location(f"exported_{index}", entry["path"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, entry["class"])().eval()
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU], with_flops=True) as prof:
        model(torch.zeros(1, *model.input_shape))
    matrix = sum(e.flops for e in prof.events() if e.name in MATRIX_OPS)
    other = sum(e.flops for e in prof.events() if e.name not in MATRIX_OPS and e.flops)
    print(json.dumps({"id": entry["id"], "matrixFlops": matrix, "otherFlops": other}), flush=True)
