# ResNet Studio's PyTorch training runner, written by the PyTorch engine (src/training/pytorch).
# Usage: python -I runner.py plan.json   or   python -I -m torch.distributed.run ... --no_python python -I runner.py plan.json
# (isolated, from the engine's own folder: nothing of the run folder is on sys.path).
# It prints one JSON training message a line on stdout (a TrainingMessage of src/protocol/training.ts);
# anything else goes to stderr. It trains with the same recipe semantics as the TF.js engine (PyTorch's
# own SGD with momentum and weight decay, milestones, warm-up, pad-crop-flip, the data already
# mean-subtracted by the launcher), in one process or under torchrun (DistributedDataParallel, a
# DistributedSampler, rank 0 reporting). It needs only torch. Bundled as text (see runnerSource.ts).
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import struct
import signal
import sys
import threading
import time
import traceback
import warnings

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

EVAL_BATCH = 256  # evaluation batches, whatever the training batch (as the TF.js engine)

# DDP warns when a weight with a size-1 dimension (a first convolution over one channel) has
# equivalent but different strides from its gradient: harmless, and noise in the run's log.
warnings.filterwarnings("ignore", message="Grad strides do not match bucket view strides")



def layer_modules(model) -> dict:
    """The model's modules by their .resnet layer paths: the export names a block nested in a block's
    branch (a gate, a block within a block) `block<name>`, since Python attributes cannot be numbers;
    its layers are found here under the path the analyzer and the TF.js engine give them."""
    modules = dict(model.named_modules())
    by_path = dict(modules)
    for name, module in modules.items():
        path = ".".join(part[len("block"):] if part.startswith("block") and len(part) > len("block") else part for part in name.split("."))
        by_path.setdefault(path, module)
    return by_path

class UserError(Exception):
    """A problem a person can fix; the message says what and how."""


class Ranks:
    """Where this process stands in a torchrun launch (one process: rank 0 of 1)."""

    def __init__(self) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local = int(os.environ.get("LOCAL_RANK", "0"))
        self.distributed = self.world > 1
        # Rank 0 reports progress and writes checkpoints; each node's first process reports start
        # and end, so that the launcher of every node sees its run finish.
        self.reporter = self.rank == 0
        self.node_leader = self.local == 0


def clean(value):
    """JSON without NaN: a diverged loss travels as the string "NaN" (the launcher turns it back)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(clean(message)) + "\n")
    sys.stdout.flush()


class StopRequest:
    """A graceful stop: the launcher creates the stop file; a signal does the same when run by hand."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.signalled = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        if self.signalled:
            os._exit(130)  # a second request means now: the last checkpoint is on disk
        self.signalled = True

    def requested(self) -> bool:
        return self.signalled or os.path.exists(self.path)


def exit_with_parent() -> None:
    """The launcher holds our stdin open; when it is gone (killed), stop rather than train unseen."""

    def watch() -> None:
        try:
            # os.read, not sys.stdin: a thread blocked inside sys.stdin holds its lock at shutdown.
            while os.read(0, 4096):
                pass
        except Exception:
            pass
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def atomic_write(path: str, write) -> None:
    """Readers see the old file or the new one, never half of one: write aside, then rename.
    The file aside is made afresh (O_EXCL), so a link left under its name is never written through."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    write(temporary)
    os.replace(temporary, path)


# Checkpoints hold tensors and plain values only, in the safetensors layout: an 8-byte little-endian
# header length, a JSON header (each tensor's dtype, shape and byte range; the rest of the state as
# JSON in __metadata__, with a SHA-256 of the tensor bytes), then the raw tensor bytes. Reading one
# parses JSON and copies bytes: nothing in it can run code, unlike a pickle (torch.save/torch.load,
# which torch 1.x cannot restrict to tensors for a state with floats in it).
CHECKPOINT_FORMAT = "resnet-studio-pytorch-2"
CHECKPOINT_NAME = re.compile(r"step-[0-9]{8}\.safetensors")
MAX_HEADER_BYTES = 64 * 1024 * 1024
DTYPES = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64",
    torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}
DTYPE_NAMES = {name: dtype for dtype, name in DTYPES.items()}


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    """The tensor's memory as bytes (little-endian, as on every machine PyTorch runs on), without numpy."""
    tensor = tensor.detach().to("cpu").contiguous()
    return ctypes.string_at(tensor.data_ptr(), tensor.numel() * tensor.element_size()) if tensor.numel() else b""


def checkpoint_bytes(state: dict) -> bytes:
    tensors: list = []

    def encode(value, path: str):
        if isinstance(value, torch.Tensor):
            tensors.append((f"{len(tensors)}:{path}", value))
            return {"$tensor": tensors[-1][0]}
        if isinstance(value, dict):
            if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in value):
                raise TypeError(f"a checkpoint's keys are strings or integers ({path})")
            return {"$dict": [[k, encode(v, f"{path}/{k}")] for k, v in value.items()]}
        if isinstance(value, (list, tuple)):
            return [encode(v, f"{path}/{i}") for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            return {"$float": repr(value)}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"a checkpoint holds tensors and plain values, not {type(value).__name__} ({path})")

    tree = encode(state, "")
    header: dict = {}
    blobs = []
    digest = hashlib.sha256()
    offset = 0
    for name, tensor in tensors:
        if tensor.dtype not in DTYPES:
            raise TypeError(f"a checkpoint cannot hold {tensor.dtype} ({name})")
        data = tensor_bytes(tensor)
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        digest.update(data)
        offset += len(data)
    header["__metadata__"] = {"format": CHECKPOINT_FORMAT, "state": json.dumps(tree, allow_nan=False), "sha256": digest.hexdigest()}
    head = json.dumps(header).encode("utf-8")
    head += b" " * (-len(head) % 8)  # the tensor bytes start 8-aligned, as safetensors writes them
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def read_checkpoint(data: bytes, where: str) -> dict:
    """The state in a checkpoint's bytes; a UserError naming `where` for anything else (a pickle, a damaged file)."""
    def refuse(why: str):
        return UserError(f"{where} {why}; it was not loaded. Resume from a run folder ResNet Studio wrote, or start a new run")

    if data[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05") or data[:2] == b"PK":
        raise refuse("is a pickle (torch.save), which can run code when loaded")
    if len(data) < 8:
        raise refuse("is damaged (shorter than a header)")
    (size,) = struct.unpack("<Q", data[:8])
    if size > MAX_HEADER_BYTES or 8 + size > len(data):
        raise refuse("is not a ResNet Studio checkpoint, or is truncated (its header does not fit in it)")
    try:
        header = json.loads(data[8 : 8 + size].decode("utf-8"))
        meta = header.pop("__metadata__")
        if meta.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"format {meta.get('format')!r}")
        tree = json.loads(meta["state"])
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
        raise refuse(f"is not a ResNet Studio checkpoint ({type(error).__name__}: {error})")
    body = data[8 + size :]
    if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
        raise refuse("is damaged (its tensor bytes do not match their checksum)")
    tensors = {}
    for name, entry in header.items():
        try:
            dtype = DTYPE_NAMES[entry["dtype"]]
            shape = [int(n) for n in entry["shape"]]
            start, end = (int(n) for n in entry["data_offsets"])
            count = math.prod(shape)
            if min(shape, default=0) < 0 or not 0 <= start <= end <= len(body) or end - start != count * torch.tensor([], dtype=dtype).element_size():
                raise ValueError("byte range")
        except (KeyError, TypeError, ValueError) as error:
            raise refuse(f"is damaged (tensor {name}: {error})")
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=dtype).reshape(shape) if count else torch.zeros(shape, dtype=dtype)

    def decode(value):
        if isinstance(value, list):
            return [decode(v) for v in value]
        if isinstance(value, dict):
            if "$tensor" in value:
                if value["$tensor"] not in tensors:
                    raise refuse(f"is damaged (no tensor {value['$tensor']})")
                return tensors[value["$tensor"]]
            if "$dict" in value:
                return {k: decode(v) for k, v in value["$dict"]}
            if "$float" in value:
                return float(value["$float"])
            raise refuse("is damaged (an unknown entry in its state)")
        return value

    state = decode(tree)
    for name, tensor in state["model"].items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise refuse(f"holds weights that are not finite numbers (NaN or infinity in {name})")
    return state


def load_split(files: dict, shape: list):
    """A split the launcher prepared: float32 NHWC images (already mean-subtracted), uint8 labels."""
    h, w, c = shape
    count = files["count"]
    images = torch.from_file(files["images"], shared=False, size=count * h * w * c, dtype=torch.float32)
    labels = torch.from_file(files["labels"], shared=False, size=count, dtype=torch.uint8)
    return images.view(count, h, w, c).permute(0, 3, 1, 2).contiguous(), labels.long()


class StepMemory:
    """The measured peak memory of a training step, for the first epoch message of a launch. On
    CUDA, the allocator's peak over the step, less what lay on the GPU before it that is not the
    model's (the data set); elsewhere what the step holds by PyTorch's own accounting: weights,
    gradients, buffers and optimizer state, the input batch, and every tensor autograd saves for the
    backward pass (saved_tensors_hooks), each storage once. The first two steps are measured (the
    first makes the optimizer's state); the larger counts."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.left = 2
        self.peak = None
        self.reported = False

    def state_bytes(self, model, optimizer) -> int:
        tensors = list(model.parameters()) + [p.grad for p in model.parameters() if p.grad is not None] + list(model.buffers())
        tensors += [value for state in optimizer.state.values() for value in state.values() if torch.is_tensor(value)]
        seen = set()
        total = 0
        for tensor in tensors:
            if tensor.data_ptr() not in seen:
                seen.add(tensor.data_ptr())
                total += tensor.numel() * tensor.element_size()
        return total

    @contextlib.contextmanager
    def measure(self, model, optimizer, images: torch.Tensor):
        if self.left == 0:
            yield
            return
        self.left -= 1
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            elsewhere = torch.cuda.memory_allocated(self.device) - self.state_bytes(model, optimizer)
            torch.cuda.reset_peak_memory_stats(self.device)
            yield
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device) - elsewhere
        else:
            weights = {p.data_ptr() for p in model.parameters()}
            saved = {images.data_ptr(): images.numel() * images.element_size()}

            def pack(tensor):
                if tensor.data_ptr() not in weights and tensor.data_ptr() not in saved:
                    saved[tensor.data_ptr()] = tensor.numel() * tensor.element_size()
                return tensor

            with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
                yield
            peak = self.state_bytes(model, optimizer) + sum(saved.values())
        self.peak = max(self.peak or 0, peak)

    def report(self, message: dict) -> None:
        """Adds the figure to the first epoch message after it was measured."""
        if self.peak is not None and not self.reported:
            self.reported = True
            message["peakStepBytes"] = self.peak


def learning_rate(schedule: dict, step: int) -> float:
    """As src/training/schedule.ts: the warm-up rate, then the base rate times the factor per milestone passed."""
    warmup = schedule.get("warmup")
    if warmup and step < warmup["steps"]:
        return warmup["lr"]
    lr = schedule["baseLr"]
    for milestone in schedule["milestones"]:
        if step >= milestone:
            lr *= schedule["decayFactor"]
    return lr


def pad_crop_flip(images: torch.Tensor, pad: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """The paper's augmentation on a batch: zero-pad, crop back at a random offset, mirror half."""
    n = images.shape[0]
    offset_y = torch.randint(0, 2 * pad + 1, (n,), generator=generator)
    offset_x = torch.randint(0, 2 * pad + 1, (n,), generator=generator)
    mirror = torch.rand(n, generator=generator) < 0.5 if flip else torch.zeros(n, dtype=torch.bool)
    return crop_at(images, pad, offset_y.to(images.device), offset_x.to(images.device), mirror.to(images.device))


def crop_at(images: torch.Tensor, pad: int, offset_y: torch.Tensor, offset_x: torch.Tensor, mirror: torch.Tensor) -> torch.Tensor:
    """Each image's H×W window at (offset_y, offset_x) of it zero-padded by pad, mirrored where asked:
    offsets run 0..2*pad (pad is the unshifted image), as src/training/data/augment.ts defines them."""
    n, _, h, w = images.shape
    padded = F.pad(images, (pad, pad, pad, pad)) if pad > 0 else images
    rows = offset_y[:, None] + torch.arange(h, device=images.device)[None, :]
    columns = torch.arange(w, device=images.device)[None, :].expand(n, w)
    columns = torch.where(mirror[:, None], w - 1 - columns, columns) + offset_x[:, None]
    picked = padded.permute(0, 2, 3, 1)[torch.arange(n, device=images.device)[:, None, None], rows[:, :, None], columns[:, None, :]]
    return picked.permute(0, 3, 1, 2).contiguous()


class Trainer:
    def __init__(self, plan: dict, ranks: Ranks) -> None:
        self.plan = plan
        self.ranks = ranks
        self.run_dir = plan["runDir"]
        self.started = plan["startedAt"] / 1000
        self.stop = StopRequest(plan["stopFile"])
        if plan.get("threads"):
            torch.set_num_threads(plan["threads"])
        self.device, self.device_text = self.choose_device()
        self.precision = plan.get("precision", "fp32")
        self.channels_last = bool(plan.get("channelsLast", False))
        self.check_precision()
        self.step_memory = StepMemory(self.device)
        # fp16 needs its loss scaled so small gradients do not underflow; bf16 has fp32's range.
        self.scaler = (torch.amp.GradScaler("cuda") if hasattr(torch.amp, "GradScaler") else torch.cuda.amp.GradScaler()) if self.precision == "fp16" else None
        if ranks.distributed:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        torch.manual_seed(plan["seed"])
        self.model = self.build_model()
        if self.channels_last:
            # NHWC in memory: what Tensor Cores' convolutions read fastest; the results are the same.
            self.model = self.model.to(memory_format=torch.channels_last)
        optimizer = plan["optimizer"]
        if optimizer["kind"] == "sgd":
            # PyTorch's SGD is the paper's and the TF.js engine's: b = μb + g + λw, w -= lr·b.
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=plan["schedule"]["baseLr"], momentum=optimizer["momentum"], weight_decay=optimizer["weightDecay"])
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=plan["schedule"]["baseLr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=optimizer["weightDecay"])
        data = plan["data"]
        self.train_images, self.train_labels = (t.to(self.device) for t in load_split(data["train"], data["shape"]))
        self.validation = tuple(t.to(self.device) for t in load_split(data["validation"], data["shape"])) if data.get("validation") else None
        self.test = tuple(t.to(self.device) for t in load_split(data["test"], data["shape"]))
        self.network = DistributedDataParallel(self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None) if ranks.distributed else self.model
        self.sampler = DistributedSampler(range(data["train"]["count"]), num_replicas=ranks.world, rank=ranks.rank, shuffle=True, seed=plan["seed"], drop_last=False)
        self.batch = plan["perProcessBatch"]
        steps = math.ceil(len(self.sampler) / self.batch)
        if steps != plan["stepsPerEpoch"]:
            raise RuntimeError(f"the plan says {plan['stepsPerEpoch']} steps per epoch but the sampler gives {steps}")

    def choose_device(self):
        """The plan's device; `auto` is CUDA when PyTorch sees a GPU, else Apple's MPS, else the CPU."""
        wanted = self.plan.get("device", "auto")
        mps = getattr(torch.backends, "mps", None)
        has_mps = mps is not None and mps.is_available()
        if wanted == "cuda" and not torch.cuda.is_available():
            build = f"built with CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
            raise UserError(f"--device cuda: PyTorch {torch.__version__} at {sys.executable} ({build}) sees no CUDA GPU; check nvidia-smi and that this Python's torch has CUDA, or pass --device cpu")
        if wanted == "mps" and not has_mps:
            raise UserError(f"--device mps: PyTorch {torch.__version__} at {sys.executable} has no Apple MPS device (it needs Apple silicon and torch 1.12 or later); pass --device cpu")
        if wanted == "cpu" or (wanted == "auto" and not torch.cuda.is_available()):
            if wanted == "auto" and has_mps and not self.ranks.distributed:
                return torch.device("mps"), "mps (Apple GPU)"
            return torch.device("cpu"), "cpu"
        if wanted == "mps":
            if self.ranks.distributed:
                raise UserError("--device mps runs one process: leave out --nproc-per-node and --nnodes")
            return torch.device("mps"), "mps (Apple GPU)"
        count = torch.cuda.device_count()
        if self.ranks.local >= count:
            raise UserError(f"this node runs {int(os.environ.get('LOCAL_WORLD_SIZE', self.ranks.local + 1))} processes but has {count} GPU{'s' if count != 1 else ''}: pass --nproc-per-node {count} or fewer")
        device = torch.device("cuda", self.ranks.local)
        torch.cuda.set_device(device)
        torch.backends.cudnn.benchmark = True  # fixed input shapes: let cuDNN pick its fastest kernels
        return device, f"cuda:{self.ranks.local} ({torch.cuda.get_device_name(device)})"

    def check_precision(self) -> None:
        if self.precision not in ("fp32", "bf16", "fp16"):
            raise UserError(f"precision takes fp32, bf16 or fp16, not {self.precision!r}")
        kind = self.device.type
        if self.precision == "fp16" and kind != "cuda":
            raise UserError(f"--precision fp16 trains on CUDA only (with a GradScaler), and this run is on {kind}: use --precision bf16 or fp32, or --device cuda")
        if self.precision == "bf16" and kind == "cuda" and not torch.cuda.is_bf16_supported():
            raise UserError(f"--precision bf16: {torch.cuda.get_device_name(self.device)} has no bfloat16 (it needs an Ampere GPU or newer); use --precision fp16 or fp32")
        if self.precision == "bf16" and kind == "mps":
            raise UserError("--precision bf16 is not available on MPS; use fp32")

    def autocast(self):
        """Mixed precision where asked: matrix products and convolutions in bf16/fp16, the rest (BatchNorm, the loss) in fp32."""
        if self.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16 if self.precision == "bf16" else torch.float16)

    def layout(self, images: torch.Tensor) -> torch.Tensor:
        return images.contiguous(memory_format=torch.channels_last) if self.channels_last else images

    def build_model(self):
        spec = importlib.util.spec_from_file_location("resnet_studio_model", self.plan["modelModule"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.plan["modelClass"])().to(self.device)

    # Checkpoints: checkpoints/step-XXXXXXXX.safetensors (weights, optimizer, position; see
    # checkpoint_bytes), then latest.json pointing at it, both replaced atomically, so a killed
    # process never leaves half of one.
    def save_checkpoint(self, position: dict) -> str:
        folder = os.path.join(self.run_dir, "checkpoints")
        os.makedirs(folder, exist_ok=True)
        name = f"step-{position['step']:08d}.safetensors"
        path = os.path.join(folder, name)
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(), "position": position}
        if self.scaler is not None:
            state["scaler"] = self.scaler.state_dict()
        data = checkpoint_bytes(state)

        def write(p: str) -> None:
            with open(p, "wb") as file:
                file.write(data)

        atomic_write(path, write)
        latest = json.dumps({"checkpoint": name, "step": position["step"], "epoch": position["epoch"]})
        atomic_write(os.path.join(folder, "latest.json"), lambda p: open(p, "w").write(latest))
        return path

    def local_checkpoint(self):
        """Step and path of the newest checkpoint in this machine's run folder, if any."""
        latest = os.path.join(self.run_dir, "checkpoints", "latest.json")
        if not self.plan["resume"] or not os.path.exists(latest):
            return (-1, None)
        try:
            with open(latest, encoding="utf-8") as file:
                saved = json.load(file)
            name, step = saved["checkpoint"], saved["step"]
            if not isinstance(name, str) or not isinstance(step, int) or step < 0:
                raise ValueError("checkpoint or step")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"{latest} is damaged ({error}); it should name the newest checkpoint of the run")
        if name.endswith(".pt"):
            raise UserError(f"{latest} names {name}, a pickled checkpoint (an older ResNet Studio wrote those, or someone placed it): pickles can run code when loaded, so it is not loaded; start a new run")
        if not CHECKPOINT_NAME.fullmatch(name):
            raise UserError(f"{latest} names {name!r}, which is no checkpoint of this engine (step-NNNNNNNN.safetensors)")
        return (step, os.path.join(self.run_dir, "checkpoints", name))

    def load_checkpoint(self):
        """The newest checkpoint any process can see, read by that process and handed to the others:
        rank 0 writes them, and a rendezvous may put rank 0 on another machine at each launch."""
        step, path = self.local_checkpoint()
        source = 0
        if self.ranks.distributed:
            # Tensors, not all_gather_object/broadcast_object_list: those pickle, and a process
            # unpickles what another sends. The checkpoint travels as its bytes and is parsed here.
            steps = [torch.zeros(1, dtype=torch.long, device=self.device) for _ in range(self.ranks.world)]
            dist.all_gather(steps, torch.tensor([step], dtype=torch.long, device=self.device))
            steps = [int(t.item()) for t in steps]
            source = max(range(self.ranks.world), key=lambda r: (steps[r], -r))
            step = steps[source]
        if step < 0:
            if self.plan["resume"]:
                raise UserError(f"no machine of this run has a checkpoint in its run folder ({self.run_dir}); start a new run instead")
            return None
        data = b""
        if self.ranks.rank == source:
            try:
                with open(path, "rb") as file:
                    data = file.read()
            except OSError as error:
                raise UserError(f"cannot read the checkpoint {path}: {error.strerror}")
        where = path if self.ranks.rank == source else f"the checkpoint of step {step} (on rank {source})"
        if self.ranks.distributed:
            size = torch.tensor([len(data)], dtype=torch.long, device=self.device)
            dist.broadcast(size, src=source)
            buffer = (torch.frombuffer(bytearray(data), dtype=torch.uint8) if data else torch.empty(0, dtype=torch.uint8)).to(self.device) if self.ranks.rank == source else torch.empty(int(size.item()), dtype=torch.uint8, device=self.device)
            dist.broadcast(buffer, src=source)
            data = tensor_bytes(buffer)
        state = read_checkpoint(data, where)
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            if self.scaler is not None and "scaler" in state:
                self.scaler.load_state_dict(state["scaler"])
            position = state["position"]
        except (RuntimeError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"the checkpoint {where} does not fit this model ({str(error).splitlines()[0]}); was the model changed?")
        return position

    def evaluate(self, split) -> tuple:
        """Loss and accuracy over a whole split; under torchrun each rank takes every world-th image."""
        images, labels = split
        self.model.eval()
        totals = torch.zeros(3, dtype=torch.float64, device=self.device)
        with torch.no_grad():
            shard = torch.arange(self.ranks.rank, images.shape[0], self.ranks.world, device=self.device)
            for start in range(0, shard.numel(), EVAL_BATCH):
                pick = shard[start : start + EVAL_BATCH]
                with self.autocast():
                    logits = self.model(self.layout(images[pick])).float()
                totals[0] += F.cross_entropy(logits, labels[pick], reduction="sum").double()
                totals[1] += (logits.argmax(1) == labels[pick]).sum().double()
                totals[2] += pick.numel()
        if self.ranks.distributed:
            dist.all_reduce(totals)
        self.model.train()
        loss, correct, count = totals.tolist()
        return loss / max(1.0, count), correct / max(1.0, count)

    def train_step(self, images, labels, lr: float, stop_wanted: bool):
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with self.step_memory.measure(self.model, self.optimizer, images):
            with self.autocast():
                logits = self.network(self.layout(images))
            logits = logits.float()
            loss = F.cross_entropy(logits, labels)
            self.optimizer.zero_grad(set_to_none=True)
            if self.scaler is not None:
                self.scaler.scale(loss).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                loss.backward()
                self.optimizer.step()
        # One small reduction per step gives the whole batch's loss and accuracy, and every rank
        # learns whether rank 0 was asked to stop, so all of them stop after the same step.
        stats = torch.stack([loss.detach().double() * labels.numel(), (logits.detach().argmax(1) == labels).sum().double(), torch.tensor(float(labels.numel()), dtype=torch.float64, device=self.device), torch.tensor(1.0 if stop_wanted else 0.0, dtype=torch.float64, device=self.device)])
        if self.ranks.distributed:
            dist.all_reduce(stats)
        loss_sum, correct, count, stop = stats.tolist()
        return loss_sum, correct, count, stop > 0

    def layer_stats_due(self, step: int) -> bool:
        """As layerStatsDue of src/training/layerStats.ts: every `every` steps, or the early steps and each epoch's end; always the last."""
        stats = self.plan.get("layerStats")
        if not stats or self.test[0].shape[0] == 0:
            return False
        if step == self.plan["totalSteps"]:
            return True
        if stats.get("every"):
            return step % stats["every"] == 0
        return step in stats["earlySteps"] or step % self.plan["stepsPerEpoch"] == 0

    def layer_stats(self, step: int) -> dict:
        """The layer statistics of src/training/layerStats.ts on the fixed batch (the first test images): the
        model in eval mode, in fp32, the gradients by torch.autograd.grad (no .grad written, no optimizer
        step, no moving statistic updated), so that training goes on exactly as without them."""
        stats = self.plan["layerStats"]
        images, labels = (t[: stats["images"]] for t in self.test)
        modules = layer_modules(self.model)
        # A layer the module does not have under its name (an export's rename) is left out, not a failed run.
        targets = [t for t in stats["targets"] if t["path"] in modules and t["response"] in modules]
        responses = {}
        # The std is taken in the hook: the exported module's ReLU(inplace=True) overwrites a BatchNorm's output right after.
        hooks = [modules[name].register_forward_hook(lambda _m, _i, output, name=name: responses.__setitem__(name, output.detach().double().std(unbiased=False))) for name in {t["response"] for t in targets}]
        weights = [list(modules[t["path"]].parameters(recurse=False)) for t in targets]
        self.model.eval()
        try:
            loss = F.cross_entropy(self.model(self.layout(images)).float(), labels)
            grads = torch.autograd.grad(loss, [w for layer in weights for w in layer])
        finally:
            for hook in hooks:
                hook.remove()
            self.model.train()
        values, at = [], 0
        for target, layer in zip(targets, weights):
            square = sum((g.double() ** 2).sum() for g in grads[at : at + len(layer)]) if layer else torch.zeros((), dtype=torch.float64)
            at += len(layer)
            values.append(torch.stack([responses[target["response"]], square.sqrt()]))
        pairs = torch.stack(values).tolist()
        return {"type": "layerStats", "step": step, "layers": [{"path": t["path"], "op": t["op"], "responseStd": std, "gradNorm": norm} for t, (std, norm) in zip(targets, pairs)]}

    def augment(self, images, step: int):
        augment = self.plan["augment"]
        if augment["pad"] == 0 and not augment["flip"]:
            return images
        # Seeded by step and rank: a resumed run draws exactly what it would have drawn.
        generator = torch.Generator().manual_seed((self.plan["seed"] * 1_000_003 + step) * 1024 + self.ranks.rank)
        return pad_crop_flip(images, augment["pad"], augment["flip"], generator)

    def started_message(self, resumed_at) -> dict:
        plan = self.plan
        ranks = self.ranks
        device = self.device_text if not ranks.distributed else f"{ranks.world} processes, {'cuda: ' + torch.cuda.get_device_name(self.device) if self.device.type == 'cuda' else 'cpu'} ({'nccl' if self.device.type == 'cuda' else 'gloo'})"
        # fp32 in the default layout, as in the paper, says nothing more; anything else is named.
        modes = ([f"{self.precision} autocast"] if self.precision != "fp32" else []) + (["channels_last"] if self.channels_last else [])
        if modes:
            device += ", " + ", ".join(modes)
        build = f"PyTorch {torch.__version__}" + (f" with CUDA {torch.version.cuda}" if self.device.type == "cuda" else "")
        split = f"{ranks.world} processes x batch {self.batch} = effective batch {plan['batchSize']}" if ranks.distributed else f"batch {plan['batchSize']}"
        message = {
            "type": "started",
            "runDir": self.run_dir,
            "model": plan["modelName"],
            "params": plan["params"],
            "macs": plan["macs"],
            "backend": "pytorch",
            "backendReason": f"{build} at {sys.executable}; {split}, lr {plan['schedule']['baseLr']:g}",
            "device": device,
            "dataset": plan["data"]["name"],
            "trainImages": plan["data"]["train"]["count"],
            "batchSize": plan["batchSize"],
            "stepsPerEpoch": plan["stepsPerEpoch"],
            "totalSteps": plan["totalSteps"],
            "epochs": plan["epochs"],
        }
        if resumed_at is not None:
            message["resumedAtStep"] = resumed_at
        return message

    def save_final_model(self) -> None:
        folder = os.path.join(self.run_dir, "model")
        os.makedirs(folder, exist_ok=True)
        atomic_write(os.path.join(folder, "model.pt"), lambda p: torch.save(self.model.state_dict(), p))
        atomic_write(os.path.join(folder, "model.py"), lambda p: shutil.copyfile(self.plan["modelModule"], p))

    def run(self) -> None:
        plan = self.plan
        ranks = self.ranks
        zero = {"loss": 0.0, "correct": 0.0, "images": 0.0}
        position = {"epoch": 0, "batchInEpoch": 0, "step": 0, "epochSums": dict(zero)}
        loaded = self.load_checkpoint()
        if loaded is not None:
            position = loaded
        if ranks.node_leader:
            emit(self.started_message(position["step"] if loaded is not None else None))
        steps_per_epoch, total_steps, epochs = plan["stepsPerEpoch"], plan["totalSteps"], plan["epochs"]
        step = position["step"]
        images_per_sec = 0.0
        stopped = False
        epoch = position["epoch"]
        while epoch < epochs and step < total_steps and not stopped:
            epoch_started = time.time()
            sums = dict(position["epochSums"])
            batch_in_epoch = position["batchInEpoch"]
            self.sampler.set_epoch(epoch)
            order = torch.tensor(list(iter(self.sampler)), dtype=torch.long, device=self.device)
            for index in range(batch_in_epoch, steps_per_epoch):
                if step >= total_steps:
                    break
                step_started = time.time()
                pick = order[index * self.batch : (index + 1) * self.batch]
                images = self.augment(self.train_images[pick], step)
                lr = learning_rate(plan["schedule"], step)
                loss_sum, correct, count, stop = self.train_step(images, self.train_labels[pick], lr, ranks.reporter and self.stop.requested())
                step += 1
                batch_in_epoch += 1
                sums = {"loss": sums["loss"] + loss_sum, "correct": sums["correct"] + correct, "images": sums["images"] + count}
                rate = count / max(1e-9, time.time() - step_started)
                images_per_sec = rate if images_per_sec == 0 else 0.8 * images_per_sec + 0.2 * rate
                if ranks.reporter:
                    emit({"type": "batch", "step": step, "epoch": epoch, "loss": loss_sum / count, "accuracy": correct / count, "lr": lr, "imagesPerSec": images_per_sec})
                    # Rank 0 alone, on its own copy of the model: no collective, the other ranks go on.
                    if self.layer_stats_due(step):
                        emit(self.layer_stats(step))
                if stop:
                    stopped = True
                    position = {"epoch": epoch, "batchInEpoch": batch_in_epoch, "step": step, "epochSums": sums}
                    if ranks.reporter:
                        emit({"type": "checkpoint", "epoch": epoch, "step": step, "path": self.save_checkpoint(position)})
                    break
            if stopped:
                break
            epoch_done = step % steps_per_epoch == 0 or batch_in_epoch >= steps_per_epoch
            if epoch_done:
                message = {"type": "epoch", "epoch": epoch, "step": step, "trainLoss": sums["loss"] / max(1.0, sums["images"]), "trainAccuracy": sums["correct"] / max(1.0, sums["images"])}
                if self.validation is not None:
                    message["valLoss"], message["valAccuracy"] = self.evaluate(self.validation)
                message["seconds"] = time.time() - epoch_started
                self.step_memory.report(message)
                if ranks.reporter:
                    emit(message)
                position = {"epoch": epoch + 1, "batchInEpoch": 0, "step": step, "epochSums": dict(zero)}
            else:
                position = {"epoch": epoch, "batchInEpoch": batch_in_epoch, "step": step, "epochSums": sums}
            if ranks.reporter:
                emit({"type": "checkpoint", "epoch": epoch, "step": step, "path": self.save_checkpoint(position)})
            epoch += 1

        test_loss, test_accuracy = self.evaluate(self.test)
        if ranks.reporter:
            self.save_final_model()
        if ranks.node_leader:
            emit({"type": "finished", "runDir": self.run_dir, "step": step, "epoch": position["epoch"], "stopped": stopped, "testLoss": test_loss, "testAccuracy": test_accuracy, "seconds": time.time() - self.started})


def describe(error: BaseException, ranks: Ranks, batch) -> str:
    text = str(error)
    where = f"rank {ranks.rank}: " if ranks.distributed else ""
    if isinstance(error, UserError):
        return where + text
    if "out of memory" in text.lower():
        return where + f"out of GPU memory with batches of {batch} images per process: lower --batch-size, or spread the batch over more processes (--nproc-per-node)"
    return where + f"the PyTorch runner stopped by an unexpected error: {type(error).__name__}: {text.splitlines()[0] if text else ''} (details on its stderr)"


def main() -> int:
    ranks = Ranks()
    with open(sys.argv[1]) as file:
        plan = json.load(file)
    if plan.get("watchParent"):
        exit_with_parent()
    try:
        Trainer(plan, ranks).run()
        return 0
    except Exception as error:
        if not isinstance(error, UserError):
            traceback.print_exc()
        emit({"type": "failed", "message": describe(error, ranks, plan.get("perProcessBatch"))})
        return 1
    finally:
        if ranks.distributed and dist.is_initialized():
            dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(main())
