# Measures what PyTorch autograd keeps for the backward pass of exported models, for
# test/export/memory.test.ts: every tensor saved during one training-mode forward pass, through
# torch.autograd.graph.saved_tensors_hooks, counted once per storage. Storages of the model's
# parameters and buffers are reported apart (they are weights, not activations), and so is the
# input batch. Only the forward pass runs: what it saves is what the backward pass will read.
# One JSON line per model.
# Usage: python3 measure_memory.py MANIFEST.json   (a list of {"path", "class", "id", "batch"})
import sys

import torch
from peer import load, run_manifest

torch.set_num_threads(1)


def storage_of(tensor):
    storage = tensor.storage()
    return storage.data_ptr(), storage.nbytes()


def measure(entry):
    model = getattr(load(entry["path"]), entry["class"])().train()
    state = {storage_of(t)[0] for t in list(model.parameters()) + list(model.buffers())}
    batch = torch.randn(entry["batch"], *model.input_shape)
    input_key = storage_of(batch)[0]
    saved = {}

    def pack(tensor):
        key, size = storage_of(tensor)
        saved[key] = max(saved.get(key, 0), size)
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(batch)
    activations = sum(size for key, size in saved.items() if key not in state and key != input_key)
    return {
        "activationsBytes": activations,
        "inputSaved": input_key in saved,
        "stateSavedBytes": sum(size for key, size in saved.items() if key in state),
    }


run_manifest(sys.argv[1], measure)
