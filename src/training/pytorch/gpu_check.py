# GPU check for ResNet Studio's PyTorch export and engine: trains exported models for a few
# hundred steps on synthetic data on one GPU and prints, as one JSON object on stdout, images per
# second, milliseconds per step and the peak GPU memory of each (human-readable lines go to stderr).
# Needs only Python and torch (no Node, no network). Put the exported modules next to this file:
#   resnet-studio export examples/cifar/resnet20.resnet -o resnet20.py
#   resnet-studio export examples/imagenet/resnet50.resnet -o resnet50.py
#   python3 gpu_check.py                      # both modules, fp32 (the engine's mode), 300 steps
#   python3 gpu_check.py --modes fp32 bf16    # also autocast bf16 + channels_last, for headroom
# Options: --modules A.py B.py, --steps N, --warmup N, --batch N, --device cuda|cpu, --compile.
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DISTINCT_BATCHES = 8  # synthetic batches made once and cycled: no data loading is measured


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_model_class(path: str):
    """The first model of an exported module (its MODELS registry) and its .resnet name."""
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    name, model_class = next(iter(module.MODELS.items()))
    return name, model_class


def synthetic_batches(model_class, batch: int, device: torch.device):
    """Learnable synthetic data: each class is a fixed random image; samples are it plus noise."""
    generator = torch.Generator().manual_seed(1)
    channels, height, width = model_class.input_shape
    classes = model_class.num_classes
    prototypes = torch.randn(classes, channels, height, width, generator=generator)
    batches = []
    for _ in range(DISTINCT_BATCHES):
        labels = torch.randint(0, classes, (batch,), generator=generator)
        images = prototypes[labels] + 0.5 * torch.randn(batch, channels, height, width, generator=generator)
        batches.append((images.to(device), labels.to(device)))
    return batches


def measure(name: str, model_class, mode: str, args, device: torch.device) -> dict:
    torch.manual_seed(1)
    model = model_class().to(device)
    params = sum(p.numel() for p in model.parameters())
    channels_last = mode == "bf16"
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    batch = args.batch or (128 if model_class.input_shape[1] <= 64 else 256)
    data = synthetic_batches(model_class, batch, device)
    if channels_last:
        data = [(x.contiguous(memory_format=torch.channels_last), y) for x, y in data]
    # The engine's optimizer: SGD with momentum 0.9 and weight decay 1e-4 (the paper's recipe).
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    step_fn = model
    if args.compile:
        step_fn = torch.compile(model)
    cuda = device.type == "cuda"
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)

    def train_step(i: int) -> torch.Tensor:
        images, labels = data[i % DISTINCT_BATCHES]
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=mode == "bf16"):
            loss = F.cross_entropy(step_fn(images), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    started = time.time()
    first_loss = None
    for i in range(args.warmup):
        loss = train_step(i)
        if first_loss is None:
            first_loss = float(loss)
    if cuda:
        torch.cuda.synchronize()
    warmup_seconds = time.time() - started
    started = time.time()
    for i in range(args.steps):
        loss = train_step(args.warmup + i)
    last_loss = float(loss)  # synchronises with the GPU
    if cuda:
        torch.cuda.synchronize()
    seconds = time.time() - started
    result = {
        "model": name,
        "mode": mode,
        "compiled": bool(args.compile),
        "params": params,
        "input": list(model_class.input_shape),
        "batch": batch,
        "steps": args.steps,
        "imagesPerSec": round(batch * args.steps / seconds, 1),
        "msPerStep": round(1000 * seconds / args.steps, 2),
        "warmupSeconds": round(warmup_seconds, 2),
        "lossFirst": round(first_loss, 4) if first_loss is not None else None,
        "lossLast": round(last_loss, 4),
    }
    if cuda:
        result["maxMemoryGiB"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 3)
        result["maxReservedGiB"] = round(torch.cuda.max_memory_reserved(device) / 2**30, 3)
    log(f"{name} {mode}{' compiled' if args.compile else ''}: batch {batch}, {result['imagesPerSec']} images/s, {result['msPerStep']} ms/step"
        + (f", peak {result['maxMemoryGiB']} GiB" if cuda else "") + f", loss {result['lossFirst']} -> {result['lossLast']}")
    del model, optimizer, data, step_fn
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Train exported ResNet Studio models on synthetic data and report speed and memory.")
    parser.add_argument("--modules", nargs="+", default=[os.path.join(HERE, "resnet20.py"), os.path.join(HERE, "resnet50.py")])
    parser.add_argument("--steps", type=int, default=300, help="timed steps per model and mode (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first (cuDNN autotuning, allocator; default 20)")
    parser.add_argument("--batch", type=int, default=0, help="images per step (default: 128 for 32×32 inputs, 256 for 224×224)")
    parser.add_argument("--modes", nargs="+", default=["fp32"], choices=["fp32", "bf16"], help="fp32: as the engine trains; bf16: autocast + channels_last")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--compile", action="store_true", help="also torch.compile the model (compiles for minutes first)")
    args = parser.parse_args()

    report = {"torch": torch.__version__, "cuda": torch.version.cuda, "python": sys.version.split()[0]}
    missing = [m for m in args.modules if not os.path.exists(m)]
    if missing:
        report["error"] = f"missing exported module(s): {', '.join(missing)}; export them next to this script (see its header)"
    elif args.device == "cuda" and not torch.cuda.is_available():
        report["error"] = "torch sees no CUDA device (torch.cuda.is_available() is False); check the driver, or pass --device cpu for a smoke test"
    if "error" in report:
        print(json.dumps(report))
        log(report["error"])
        return 1
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # as the engine: fixed shapes, fastest kernels
        report["device"] = torch.cuda.get_device_name(device)
        report["deviceMemoryGiB"] = round(torch.cuda.get_device_properties(device).total_memory / 2**30, 1)
        report["cudnn"] = torch.backends.cudnn.version()
        report["tf32"] = {"cudnn": torch.backends.cudnn.allow_tf32, "matmul": torch.backends.cuda.matmul.allow_tf32}
    else:
        report["device"] = "cpu"
    report["results"] = []
    for path in args.modules:
        name, model_class = load_model_class(path)
        for mode in args.modes:
            try:
                report["results"].append(measure(name, model_class, mode, args, device))
            except Exception as error:  # one failing model or mode must not hide the others' figures
                report["results"].append({"model": name, "mode": mode, "error": f"{type(error).__name__}: {error}"})
                log(f"{name} {mode}: {type(error).__name__}: {error}")
            if device.type == "cuda":
                torch.cuda.empty_cache()
    print(json.dumps(report))
    return 0 if all("error" not in r for r in report["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
