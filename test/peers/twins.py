# Networks built independently of ResNet Studio's export, to check the analyzer's figures against:
# torchvision's own constructors where torchvision has the network, and PyTorch twins written here
# from the papers otherwise. Nothing here reads a .resnet file or an exported module.
#
# Usage: python3 twins.py ID...   prints one JSON line per ID:
#   {"id", "params", "nonTrainable", "macs", "stages": {name: [H, W, C]}}  (or {"id", "error"})
# params: trainable parameters; nonTrainable: BatchNorm running mean and variance (not the
# num_batches_tracked counter); macs: multiply-adds of every convolution and linear layer, biases
# not counted (the paper's convention); stages: the output shape of each stage, channels last.
import json
import sys
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

# --------------------------------------------------------------------------------------------
# CIFAR-10 ResNets and plain nets, He et al. 2015, section 4.2: a 3×3 convolution with 16 filters,
# then three stages of n basic blocks on 32×32, 16×16 and 8×8 maps with 16, 32 and 64 filters,
# global average pooling and a 10-way fully connected layer.


class CifarBlock(nn.Module):
    def __init__(self, inp, out, stride, shortcut):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.shortcut = shortcut
        self.stride = stride
        self.extra = out - inp
        self.project = None
        if shortcut == "B" and (stride != 1 or inp != out):
            self.project = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.shortcut == "plain":
            return F.relu(y)
        if self.project is not None:
            s = self.project(x)
        elif self.stride != 1 or self.extra:
            # Option A: subsample by the stride, zero-pad the new channels (no parameters).
            s = F.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, 0, self.extra))
        else:
            s = x
        return F.relu(y + s)


class CifarNet(nn.Module):
    def __init__(self, n, shortcut):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        stages, inp = [], 16
        for width, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(n):
                blocks.append(CifarBlock(inp, width, stride if i == 0 else 1, shortcut))
                inp = width
            stages.append(nn.Sequential(*blocks))
        self.conv2_x, self.conv3_x, self.conv4_x = stages
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.conv4_x(self.conv3_x(self.conv2_x(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


# --------------------------------------------------------------------------------------------
# ImageNet networks from torchvision, named as the paper's Table 1 stages.


def paper_v1(model):
    """The paper's bottleneck (v1): the stride on the first 1×1, not on the 3×3 as torchvision's v1.5."""
    for layer in (model.layer2, model.layer3, model.layer4):
        first = layer[0]
        stride = first.conv2.stride
        first.conv1.stride, first.conv2.stride = stride, (1, 1)
    return model


class PlainBasic(nn.Module):
    """torchvision's BasicBlock without its shortcut: the paper's plain-18/34 (Table 2)."""

    def __init__(self, block):
        super().__init__()
        self.conv1, self.bn1, self.conv2, self.bn2 = block.conv1, block.bn1, block.conv2, block.bn2

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


def plain(model):
    for name in ("layer1", "layer2", "layer3", "layer4"):
        setattr(model, name, nn.Sequential(*[PlainBasic(b) for b in getattr(model, name)]))
    return model


# --------------------------------------------------------------------------------------------
# Even kernels and the ResNet-D shortcut (test/peers/even-kernels-d.resnet), written out by hand:
# PyTorch pads a k×k convolution by what the layer is given, here ⌊(k − 1)/2⌋ on every side.


class DDown(nn.Module):
    def __init__(self, inp, planes):
        super().__init__()
        out = planes * 4
        self.branch = nn.Sequential(
            nn.Conv2d(inp, planes, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, planes, 3, 2, 1, bias=False), nn.BatchNorm2d(planes), nn.ReLU(),
            nn.Conv2d(planes, out, 1, bias=False), nn.BatchNorm2d(out),
        )
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(inp, out, 1, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        return F.relu(self.branch(x) + self.shortcut(x))


class EvenD(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 2, 2, 0, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        )
        self.stage1 = nn.Sequential(DDown(32, 16), torchvision.models.resnet.Bottleneck(64, 16))
        self.stage2 = nn.Sequential(DDown(64, 32), nn.MaxPool2d(2, 2, 0))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.stage2(self.stage1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


# --------------------------------------------------------------------------------------------
# Gated ResNet-50s as timm builds them (SE: Hu et al. 2018; ECA: Wang et al. 2020), written here
# from the papers on torchvision's Bottleneck: the gate after bn3, before the addition.


class SEGate(nn.Module):
    def __init__(self, channels, reduction=16, divisor=8):
        super().__init__()
        squeeze = max(divisor, int(channels / reduction + divisor / 2) // divisor * divisor)
        self.fc1 = nn.Conv2d(channels, squeeze, 1, bias=True)
        self.fc2 = nn.Conv2d(squeeze, channels, 1, bias=True)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


class ECAGate(nn.Module):
    def __init__(self, channels, gamma=2, beta=1):
        super().__init__()
        import math

        t = int(abs(math.log(channels, 2) + beta) / gamma)
        k = max(t if t % 2 else t + 1, 3)
        self.conv = nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)

    def forward(self, x):
        y = self.conv(x.mean((2, 3)).view(x.shape[0], 1, -1)).view(x.shape[0], -1, 1, 1)
        return x * torch.sigmoid(y)


class GatedBottleneck(nn.Module):
    def __init__(self, block, gate):
        super().__init__()
        self.block = block
        self.gate = gate(block.bn3.num_features)

    def forward(self, x):
        b = self.block
        out = b.relu(b.bn1(b.conv1(x)))
        out = b.relu(b.bn2(b.conv2(out)))
        out = self.gate(b.bn3(b.conv3(out)))
        identity = x if b.downsample is None else b.downsample(x)
        return b.relu(out + identity)


def gated(model, gate):
    for name in ("layer1", "layer2", "layer3", "layer4"):
        setattr(model, name, nn.Sequential(*[GatedBottleneck(b, gate) for b in getattr(model, name)]))
    return model


# --------------------------------------------------------------------------------------------
# ResNet-D (He et al. 2019, Fig. 2c) and ResNet-RS (Bello et al. 2021) as timm's resnet50d and
# resnetrs50 build them, written here on torchvision's ResNet-50 (its stride is on the 3×3 already).


def deep_stem(model, replace_pool):
    """Three 3×3 convolutions (32, 32, 64) for the 7×7; ResNet-RS also a 3×3 stride-2 convolution for the max pool."""
    model.conv1 = nn.Sequential(
        nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, 1, 1, bias=False),
    )
    if replace_pool:
        model.maxpool = nn.Sequential(nn.Conv2d(64, 64, 3, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
    return model


def avg_down(model):
    """The downsampling shortcut averages 2×2 windows (ceil_mode, padding not counted) before its 1×1 projection."""
    for name in ("layer2", "layer3", "layer4"):
        first = getattr(model, name)[0]
        conv, bn = first.downsample[0], first.downsample[1]
        first.downsample = nn.Sequential(
            nn.AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False),
            nn.Conv2d(conv.in_channels, conv.out_channels, 1, bias=False),
            bn,
        )
    return model


# --------------------------------------------------------------------------------------------
# Pre-activation CIFAR networks: He et al. 2016 (Identity Mappings, the 164-layer bottleneck) and
# Zagoruyko & Komodakis 2016 (WRN-28-10, dropout 0.3). BN-ReLU before each convolution; where the
# shape changes, a 1×1 convolution without BatchNorm projects the pre-activated input; a final BN-ReLU.


class PreActBottleneck(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        out = planes * 4
        self.bn1, self.conv1 = nn.BatchNorm2d(inp), nn.Conv2d(inp, planes, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(planes), nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3, self.conv3 = nn.BatchNorm2d(planes), nn.Conv2d(planes, out, 1, bias=False)
        self.shortcut = nn.Conv2d(inp, out, 1, stride, bias=False) if stride != 1 or inp != out else None

    def forward(self, x):
        pre = torch.relu(self.bn1(x))
        y = self.conv1(pre)
        y = self.conv2(torch.relu(self.bn2(y)))
        y = self.conv3(torch.relu(self.bn3(y)))
        return y + (x if self.shortcut is None else self.shortcut(pre))


class WideBasic(nn.Module):
    def __init__(self, inp, width, stride):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(inp), nn.Conv2d(inp, width, 3, stride, 1, bias=False)
        self.bn2, self.dropout, self.conv2 = nn.BatchNorm2d(width), nn.Dropout(0.3), nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(inp, width, 1, stride, bias=False) if stride != 1 or inp != width else None

    def forward(self, x):
        pre = torch.relu(self.bn1(x))
        y = self.conv2(self.dropout(torch.relu(self.bn2(self.conv1(pre)))))
        return y + (x if self.shortcut is None else self.shortcut(pre))


class PreActCifar(nn.Module):
    def __init__(self, block, widths, n, expansion):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        inp, stages = 16, []
        for i, w in enumerate(widths):
            blocks = []
            for j in range(n):
                blocks.append(block(inp, w, 2 if i > 0 and j == 0 else 1))
                inp = w * expansion
            stages.append(nn.Sequential(*blocks))
        self.conv2_x, self.conv3_x, self.conv4_x = stages
        self.bn, self.pool, self.fc = nn.BatchNorm2d(inp), nn.AdaptiveAvgPool2d(1), nn.Linear(inp, 10)

    def forward(self, x):
        x = self.conv4_x(self.conv3_x(self.conv2_x(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(torch.relu(self.bn(x))), 1))


# --------------------------------------------------------------------------------------------
# Res2Net-50 26w×4s (Gao et al. 2019, Fig. 2) as timm's res2net50_26w_4s builds it, written here from
# the paper on torchvision's ResNet-50 frame (stem, stages, head): the bottleneck's 3×3 works on
# `scale` groups of `width` channels; groups 1 … s−1 each have their own 3×3-BN-ReLU, group i first
# adding group i−1's output to its input; the last group passes as it is. The first block of a stage
# (its shape changes) adds nothing between groups and average-pools the last with its stride.


class Res2Bottleneck(nn.Module):
    def __init__(self, inp, planes, stride, width, scale, first):
        super().__init__()
        mid = width * scale
        self.reduce = nn.Sequential(nn.Conv2d(inp, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU())
        self.k = nn.ModuleList(
            nn.Sequential(nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()) for _ in range(scale - 1)
        )
        self.last = nn.AvgPool2d(3, stride, 1) if first else nn.Identity()
        self.expand = nn.Sequential(nn.Conv2d(mid, planes * 4, 1, bias=False), nn.BatchNorm2d(planes * 4))
        self.down = nn.Sequential(nn.Conv2d(inp, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4)) if first else None
        self.first, self.width = first, width

    def forward(self, x):
        xs = self.reduce(x).split(self.width, 1)
        ys = []
        for i, k in enumerate(self.k):
            ys.append(k(xs[i] if self.first or i == 0 else xs[i] + ys[-1]))
        ys.append(self.last(xs[-1]))
        y = self.expand(torch.cat(ys, 1))
        return torch.relu(y + (x if self.down is None else self.down(x)))


def res2net50(base_width, scale):
    model = torchvision.models.resnet50(weights=None)
    inp = 64
    for name, planes, n, stride in (("layer1", 64, 3, 1), ("layer2", 128, 4, 2), ("layer3", 256, 6, 2), ("layer4", 512, 3, 2)):
        width = planes * base_width // 64
        blocks = [Res2Bottleneck(inp, planes, stride, width, scale, True)]
        blocks += [Res2Bottleneck(planes * 4, planes, 1, width, scale, False) for _ in range(n - 1)]
        inp = planes * 4
        setattr(model, name, nn.Sequential(*blocks))
    return model


# --------------------------------------------------------------------------------------------

TORCHVISION = {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2"}


def build(twin_id):
    """(module, input H×W, {stage name: submodule whose output is the stage's})."""
    kind, _, name = twin_id.partition(":")
    if kind in ("tv", "v1", "plain"):
        model = getattr(torchvision.models, name)(weights=None)
        if kind == "v1":
            model = paper_v1(model)
        if kind == "plain":
            model = plain(model)
        stages = {"conv1": model.maxpool, "conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3, "conv5_x": model.layer4, "head": model.fc}
        return model, 224, stages
    if twin_id in ("preact164", "wrn28_10"):
        model = PreActCifar(PreActBottleneck, (16, 32, 64), 18, 4) if twin_id == "preact164" else PreActCifar(WideBasic, (160, 320, 640), 4, 1)
        return model, 32, {"conv1": model.conv1, "conv2_x": model.conv2_x, "conv3_x": model.conv3_x, "conv4_x": model.conv4_x, "head": model.fc}
    if kind in ("d", "rs"):
        model = avg_down(deep_stem(torchvision.models.resnet50(weights=None), replace_pool=kind == "rs"))
        if kind == "rs":
            model = gated(model, lambda c: SEGate(c, reduction=4))
            model.fc = nn.Sequential(nn.Dropout(0.25), model.fc)
        stages = {"conv1": model.maxpool, "conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3, "conv5_x": model.layer4, "head": model.fc}
        return model, 160 if kind == "rs" else 224, stages
    if kind in ("se", "eca", "gn"):
        model = torchvision.models.resnet50(weights=None, **({"norm_layer": lambda c: nn.GroupNorm(32, c)} if kind == "gn" else {}))
        if kind != "gn":
            model = gated(model, SEGate if kind == "se" else ECAGate)
        stages = {"conv1": model.maxpool, "conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3, "conv5_x": model.layer4, "head": model.fc}
        return model, 224, stages
    if kind == "tvnet":
        model = getattr(torchvision.models, name)(weights=None)
        if name == "mobilenet_v2":
            f = model.features
            stages = {"stem": f[0], "stage1": f[1], "stage2": f[3], "stage3": f[6], "stage4": f[10], "stage5": f[13], "stage6": f[16], "stage7": f[17]}
        elif name == "mobilenet_v3_large":
            f = model.features
            stages = {"stem": f[0], "stage1": f[1], "stage2": f[3], "stage3": f[6], "stage4": f[10], "stage5": f[12], "stage6": f[15]}
        elif name.startswith("efficientnet"):
            stages = {"stem": model.features[0], **{f"stage{i}": model.features[i] for i in range(1, 8)}}
        elif name.startswith("regnet"):
            t = model.trunk_output
            stages = {"stem": model.stem, "stage1": t.block1, "stage2": t.block2, "stage3": t.block3, "stage4": t.block4}
        elif name.startswith("convnext"):
            f = model.features
            stages = {"stem": f[0], "stage1": f[1], "stage2": f[3], "stage3": f[5], "stage4": f[7]}
        else:
            raise ValueError(f"no stages for {name}")
        head = model.fc if hasattr(model, "fc") else model.classifier
        return model, 224, {**stages, "head": head}
    if twin_id == "res2net50_26w_4s":
        model = res2net50(26, 4)
        stages = {"conv1": model.maxpool, "conv2_x": model.layer1, "conv3_x": model.layer2, "conv4_x": model.layer3, "conv5_x": model.layer4, "head": model.fc}
        return model, 224, stages
    if kind == "cifar":
        option, n = name.split("/")
        model = CifarNet(int(n), option)
        return model, 32, {"conv1": model.conv1, "conv2_x": model.conv2_x, "conv3_x": model.conv3_x, "conv4_x": model.conv4_x, "head": model.fc}
    if twin_id == "even_d":
        model = EvenD()
        return model, 64, {"stem": model.stem, "stage1": model.stage1, "stage2": model.stage2, "head": model.fc}
    raise ValueError(f"no twin named {twin_id}")


def measure(twin_id):
    model, size, stages = build(twin_id)
    model.eval()
    macs = 0
    shapes = {}

    def count(module, inputs, output):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output[0].numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, nn.Conv1d):
            macs += output[0].numel() * (module.in_channels // module.groups) * module.kernel_size[0]
        elif isinstance(module, nn.Linear):
            # Per position: ConvNeXt applies its linear layers to every pixel.
            macs += output[0].numel() // module.out_features * module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Conv1d, nn.Linear))]
    for stage, module in stages.items():
        def record(_m, _i, output, stage=stage):
            o = output[0]
            shapes[stage] = [o.shape[1], o.shape[2], o.shape[0]] if o.dim() == 3 else [1, 1, o.shape[-1]]
        hooks.append(module.register_forward_hook(record))
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith("running_mean") or n.endswith("running_var"))
    return {"params": params, "nonTrainable": stats, "macs": macs, "stages": shapes}


if __name__ == "__main__":
    for twin_id in sys.argv[1:]:
        try:
            result = measure(twin_id)
        except Exception:
            result = {"error": traceback.format_exc()}
        print(json.dumps({"id": twin_id, **result}), flush=True)
