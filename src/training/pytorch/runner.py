# ResNet Studio's PyTorch training runner, written by the PyTorch engine (src/training/pytorch).
# Usage: python runner.py plan.json   or   python -m torch.distributed.run ... runner.py plan.json
# It prints one JSON training message a line on stdout (a TrainingMessage of src/protocol/training.ts);
# anything else goes to stderr. It trains with the same recipe semantics as the TF.js engine (PyTorch's
# own SGD with momentum and weight decay, milestones, warm-up, pad-crop-flip, the data already
# mean-subtracted by the launcher), in one process or under torchrun (DistributedDataParallel, a
# DistributedSampler, rank 0 reporting). It needs only torch. Bundled as text (see runnerSource.ts).
from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
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
    """Readers see the old file or the new one, never half of one: write aside, then rename."""
    temporary = f"{path}.{os.getpid()}.tmp"
    write(temporary)
    os.replace(temporary, path)


def load_split(files: dict, shape: list):
    """A split the launcher prepared: float32 NHWC images (already mean-subtracted), uint8 labels."""
    h, w, c = shape
    count = files["count"]
    images = torch.from_file(files["images"], shared=False, size=count * h * w * c, dtype=torch.float32)
    labels = torch.from_file(files["labels"], shared=False, size=count, dtype=torch.uint8)
    return images.view(count, h, w, c).permute(0, 3, 1, 2).contiguous(), labels.long()


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
        if ranks.distributed:
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        torch.manual_seed(plan["seed"])
        self.model = self.build_model()
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
        if not torch.cuda.is_available():
            return torch.device("cpu"), "cpu"
        count = torch.cuda.device_count()
        if self.ranks.local >= count:
            raise UserError(f"this node runs {int(os.environ.get('LOCAL_WORLD_SIZE', self.ranks.local + 1))} processes but has {count} GPU{'s' if count != 1 else ''}: pass --nproc-per-node {count} or fewer")
        device = torch.device("cuda", self.ranks.local)
        torch.cuda.set_device(device)
        torch.backends.cudnn.benchmark = True  # fixed input shapes: let cuDNN pick its fastest kernels
        return device, f"cuda:{self.ranks.local} ({torch.cuda.get_device_name(device)})"

    def build_model(self):
        spec = importlib.util.spec_from_file_location("resnet_studio_model", self.plan["modelModule"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.plan["modelClass"])().to(self.device)

    # Checkpoints: checkpoints/step-XXXXXXXX.pt (weights, optimizer, position), then latest.json
    # pointing at it, both replaced atomically, so a killed process never leaves half of one.
    def save_checkpoint(self, position: dict) -> str:
        folder = os.path.join(self.run_dir, "checkpoints")
        os.makedirs(folder, exist_ok=True)
        name = f"step-{position['step']:08d}.pt"
        path = os.path.join(folder, name)
        state = {"format": "resnet-studio-pytorch-1", "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(), "position": position}
        atomic_write(path, lambda p: torch.save(state, p))
        latest = json.dumps({"checkpoint": name, "step": position["step"], "epoch": position["epoch"]})
        atomic_write(os.path.join(folder, "latest.json"), lambda p: open(p, "w").write(latest))
        return path

    def local_checkpoint(self):
        """Step and path of the newest checkpoint in this machine's run folder, if any."""
        latest = os.path.join(self.run_dir, "checkpoints", "latest.json")
        if not self.plan["resume"] or not os.path.exists(latest):
            return (-1, None)
        with open(latest) as file:
            saved = json.load(file)
        return (int(saved["step"]), os.path.join(self.run_dir, "checkpoints", saved["checkpoint"]))

    def load_checkpoint(self):
        """The newest checkpoint any process can see, read by that process and handed to the others:
        rank 0 writes them, and a rendezvous may put rank 0 on another machine at each launch."""
        step, path = self.local_checkpoint()
        source = 0
        if self.ranks.distributed:
            steps = [None] * self.ranks.world
            dist.all_gather_object(steps, step)
            source = max(range(self.ranks.world), key=lambda r: (steps[r], -r))
            step = steps[source]
        if step < 0:
            if self.plan["resume"]:
                raise UserError(f"no machine of this run has a checkpoint in its run folder ({self.run_dir}); start a new run instead")
            return None
        state = None
        if self.ranks.rank == source:
            # torch 2 loads tensors and plain values without running pickled code; torch 1's
            # weights-only loader cannot read floats, and this is the engine's own file in the run folder.
            modern = int(torch.__version__.split(".")[0]) >= 2
            state = torch.load(path, map_location="cpu", weights_only=True) if modern else torch.load(path, map_location="cpu")
            state["path"] = path
        if self.ranks.distributed:
            box = [state]
            dist.broadcast_object_list(box, src=source)
            state = box[0]
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as error:
            raise UserError(f"the checkpoint {state['path']} does not fit this model ({str(error).splitlines()[0]}); was the model changed?")
        return state["position"]

    def evaluate(self, split) -> tuple:
        """Loss and accuracy over a whole split; under torchrun each rank takes every world-th image."""
        images, labels = split
        self.model.eval()
        totals = torch.zeros(3, dtype=torch.float64, device=self.device)
        with torch.no_grad():
            shard = torch.arange(self.ranks.rank, images.shape[0], self.ranks.world, device=self.device)
            for start in range(0, shard.numel(), EVAL_BATCH):
                pick = shard[start : start + EVAL_BATCH]
                logits = self.model(images[pick])
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
        logits = self.network(images)
        loss = F.cross_entropy(logits, labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        # One small reduction per step gives the whole batch's loss and accuracy, and every rank
        # learns whether rank 0 was asked to stop, so all of them stop after the same step.
        stats = torch.stack([loss.detach().double() * labels.numel(), (logits.detach().argmax(1) == labels).sum().double(), torch.tensor(float(labels.numel()), dtype=torch.float64, device=self.device), torch.tensor(1.0 if stop_wanted else 0.0, dtype=torch.float64, device=self.device)])
        if self.ranks.distributed:
            dist.all_reduce(stats)
        loss_sum, correct, count, stop = stats.tolist()
        return loss_sum, correct, count, stop > 0

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
