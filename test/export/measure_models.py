# Measures exported models with PyTorch itself, for test/export/pytorch.test.ts: trainable
# parameters, BatchNorm running statistics, conv + fc multiply-accumulates counted by forward hooks
# on one 1×C×H×W image, the output shape of every stage (the model's children, in order) and the
# names of the modules that hold weights. One JSON line per model; many models, one process.
# Large models run on the meta device: PyTorch works out every shape without computing a value, so
# ResNet-1202 takes a second instead of half a minute on a busy CPU; small ones compute for real.
# Usage: python3 measure_models.py MANIFEST.json   (a list of {"path", "class", "id", "device"})
import sys

import torch
from torch import nn

from peer import load, run_manifest

torch.set_num_threads(2)


def measure(entry):
    model = getattr(load(entry["path"]), entry["class"])().eval()
    params = sum(p.numel() for p in model.parameters())
    model = model.to(entry["device"])
    macs = [0]

    def count(module, inputs, output):
        if isinstance(module, (nn.Conv1d, nn.Conv2d)):
            # Each output element costs one multiply-add per weight of its filter: (C_in / groups)·kh·kw
            # (ECA's 1-D convolution across channels: its k taps).
            macs[0] += output[0].numel() * module.weight[0].numel()
        else:
            macs[0] += module.in_features * module.out_features

    stages = []
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            module.register_forward_hook(count)
    for name, child in model.named_children():
        child.register_forward_hook(lambda module, inputs, output, name=name: stages.append([name, list(output.shape[1:])]))
    with torch.no_grad():
        output = model(torch.zeros(1, *model.input_shape, device=entry["device"]))
    return {
        "params": params,
        "nonTrainable": sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var"))),
        "macs": macs[0],
        "stages": stages,
        "output": list(output.shape[1:]),
        "weighted": [n for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d, nn.Linear))],
    }


run_manifest(sys.argv[1], measure)
