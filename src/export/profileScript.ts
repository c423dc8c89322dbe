// The Python that `resnet-studio profile` runs beside an exported module: it times the forward and
// the backward pass of every layer of one model on PyTorch. Static text: the module's path, the
// class name and the figures reach it as command-line arguments, never as code.
//
// Forward: a pre-hook and a hook on each leaf module (time.perf_counter, CUDA synchronized).
// Backward: full backward hooks fire when a module's input gradients are ready; a module's backward
// time is the time since the previous hook fired, so the ops between two layers (the residual
// add's gradient) count towards the later one. Full backward hooks cannot wrap a tensor that a
// ReLU then changes in place, so the profiled copy runs its ReLUs out of place.
export const PROFILE_SCRIPT = String.raw`
import importlib.util
import json
import statistics
import sys
import time

import torch
from torch import nn

path, class_name, batch, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("exported", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
device = "cuda" if torch.cuda.is_available() else "cpu"
model = getattr(module, class_name)().to(device).train()
for m in model.modules():
    if isinstance(m, nn.ReLU):
        m.inplace = False


def now():
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter()


leaves = [(name, m) for name, m in model.named_modules() if name and not list(m.children()) and not isinstance(m, (nn.Flatten, nn.Unflatten, nn.Identity))]
forward = {name: [] for name, _ in leaves}
backward = {name: [] for name, _ in leaves}
started = {}
last = [0.0]


def pre(name):
    def hook(m, inputs):
        started[name] = now()
    return hook


def post(name):
    def hook(m, inputs, output):
        forward[name].append(now() - started[name])
    return hook


def back(name):
    def hook(m, grad_input, grad_output):
        t = now()
        backward[name].append(t - last[0])
        last[0] = t
    return hook


for name, m in leaves:
    m.register_forward_pre_hook(pre(name))
    m.register_forward_hook(post(name))
    m.register_full_backward_hook(back(name))

x = torch.randn(batch, *model.input_shape, device=device, requires_grad=True)
for step in range(repeats + 1):
    for times in list(forward.values()) + list(backward.values()):
        if step == 1:
            times.clear()
    out = model(x)
    loss = out.float().sum()
    last[0] = now()
    loss.backward()
    model.zero_grad(set_to_none=True)

print(json.dumps({
    "device": device,
    "torch": torch.__version__,
    "stages": [name for name, _ in model.named_children()],
    "layers": [{"module": name, "forwardMs": 1000 * statistics.median(forward[name]), "backwardMs": 1000 * statistics.median(backward[name]) if backward[name] else 0.0} for name, _ in leaves],
}))
`;
