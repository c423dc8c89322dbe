// Export to PyTorch: a standalone Python module (torch only) with one nn.Module class per model,
// blocks as classes, module names equal to the analyzer's paths (`conv3_x.0.conv1`) and a comment
// citing the `.resnet` line of every stage, block and layer. NCHW, as PyTorch computes.
import { basename } from 'node:path';
import { dropPathRates } from '../core/analysis/dropPath';
import type { LayerNode, ModelNode, ShortcutOption } from '../core/analysis/network';
import { formatShape } from '../core/analysis/shape';
import { BlockClasses, type SourceInfo } from './blockClasses';
import { Holes } from './holes';
import { commentText, describeRename, docstring, grouped, NameAllocator, stringLiteral, type Rename } from './pythonSyntax';
import { sequenceEntries } from './sequences';
import { sequentialText } from './sequentialText';

export interface ExportOptions {
  /** The `.resnet` text, so stage comments can quote their lines and block classes cite their definitions. */
  readonly sourceText?: string;
  /** The command that regenerates the file, for its header. */
  readonly command?: string;
}

export interface PyTorchModule {
  readonly text: string;
  /** The Python class of each model, by the model's `.resnet` name. */
  readonly classNames: ReadonlyMap<string, string>;
  /**
   * Names that Python or nn.Module treat specially (`forward`, `_modules`, `__name__`, keywords,
   * builtins) or that are taken, given another spelling in the module: one sentence each, for the user.
   */
  readonly notes: readonly string[];
}

/** One model as a Python module. */
export function exportPyTorch(model: ModelNode, sourcePath: string, options: ExportOptions = {}): string {
  return exportPyTorchModule([model], sourcePath, options).text;
}

/** Several models of one file in one module; blocks they share are one class. */
export function exportPyTorchModule(models: readonly ModelNode[], sourcePath: string, options: ExportOptions = {}): PyTorchModule {
  const file = basename(sourcePath);
  const sourceLines = options.sourceText?.split(/\r\n|\r|\n/);
  const source: SourceInfo = {
    file,
    blockLine: (name) => {
      const definition = new RegExp(`^\\s*block\\s+${name.replace(/\./g, '\\.')}\\s*[({]`);
      const index = sourceLines?.findIndex((line) => definition.test(line)) ?? -1;
      return index >= 0 ? index + 1 : undefined;
    },
  };
  const classRenames: Rename[] = [];
  const memberRenames: Rename[] = [];
  const classNames = new NameAllocator('class', classRenames);
  // Models first: their names are the module's public API and get the exact `.resnet` name.
  const modelClasses = new Map(models.map((m) => [m.name, classNames.allocate(m.name)]));
  const rates = new Map<LayerNode, number>();
  for (const model of models) for (const [layer, rate] of dropPathRates(model)) rates.set(layer, rate);
  const dropPathRate = (layer: LayerNode) => rates.get(layer) ?? 0;
  const blocks = new BlockClasses(classNames, source, memberRenames, dropPathRate);
  for (const model of models) for (const stage of model.stages) blocks.register(stage.nodes);
  const modelTexts = models.map((m) => modelClass(m, modelClasses.get(m.name) as string, blocks, file, sourceLines, memberRenames, dropPathRate));
  const blockTexts = blocks.classes.map((c) => c.lines.join('\n'));
  // The few modules torch lacks, each written out where the network uses it.
  const body = [...blockTexts, ...modelTexts].join('\n');
  const helpers = Object.entries(HELPER_MODULES)
    .filter(([name]) => body.includes(`${name}(`))
    .map(([, text]) => text);

  const sections = [
    header(models, file, options.command),
    IMPORTS,
    INITIALIZE,
    ...(blocks.usesZeroPad ? [ZERO_PAD_SHORTCUT] : []),
    ...(blocks.usesProjection ? [PROJECTION] : []),
    ...helpers,
    ...blockTexts,
    ...modelTexts,
    registry(models, modelClasses),
    MAIN,
  ];
  const notes = [...classRenames.map((r) => describeRename(r, 'the class for')), ...memberRenames.map((r) => describeRename(r, 'the layer or stage'))];
  return { text: `${sections.join('\n\n\n')}\n`, classNames: modelClasses, notes };
}

function header(models: readonly ModelNode[], file: string, command: string | undefined): string {
  const names = models.map((m) => m.name).join(', ');
  return [
    commentText(`PyTorch version of ${names} from ${file}, written by ResNet Studio${command ? ` (${command})` : ''}.`),
    '# It needs only torch. Modules are named by their .resnet paths (conv3_x.0.conv1), so a state dict',
    '# reads like `resnet-studio stats`, and each stage, block and layer cites the .resnet line it comes from.',
    '# Change the .resnet file and export again rather than editing this one.',
  ].join('\n');
}

const IMPORTS = `from __future__ import annotations

import math
from collections import OrderedDict

import torch
from torch import nn`;

const INITIALIZE = `def initialize(model: nn.Module) -> None:
    """As He et al. 2015, torchvision and ResNet Studio's TF.js engine: He normal (fan-out) for
    convolutions, BatchNorm weight 1 and bias 0, PyTorch's uniform default for fully connected
    weights, zero biases."""
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Linear):
            bound = 1 / math.sqrt(module.in_features)
            nn.init.uniform_(module.weight, -bound, bound)
            if module.bias is not None:
                nn.init.zeros_(module.bias)`;

const ZERO_PAD_SHORTCUT = `class ZeroPadShortcut(nn.Module):
    """Option A (He et al. 2015, section 3.3): subsample by the stride, then zero-pad the new
    channels, half before and half after the input's; no parameters."""

    def __init__(self, stride: int, extra_channels: int) -> None:
        super().__init__()
        self.stride = stride
        self.extra_channels = extra_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        before = self.extra_channels // 2
        return nn.functional.pad(x, (0, 0, 0, 0, before, self.extra_channels - before))

    def extra_repr(self) -> str:
        return f"stride={self.stride}, extra_channels={self.extra_channels}"`;

const PROJECTION = `def projection(in_channels: int, out_channels: int, stride: int = 1, norm: nn.Module | None | str = "batch") -> nn.Sequential:
    """Options B and C (He et al. 2015, section 3.3): a 1×1 convolution with the block's stride, then
    BatchNorm (or the model's \`norm\`: a GroupNorm, or none for pre-activation networks)."""
    layers = [("conv1", nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False))]
    if norm == "batch":
        norm = nn.BatchNorm2d(out_channels)
    if isinstance(norm, nn.Module):
        layers.append(("bn1", norm))
    return nn.Sequential(OrderedDict(layers))`;

/** Modules torch.nn lacks, by the name the generated code calls them with. */
export const HELPER_MODULES: Readonly<Record<string, string>> = {
  LayerNorm2d: `class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of each position of an NCHW tensor (ConvNeXt's, as torchvision's)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)`,
  DropPath: `class DropPath(nn.Module):
    """Stochastic depth (Huang et al. 2016): in training, zero a sample's branch with probability p
    and scale the rest by 1 / (1 - p); the identity in eval()."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep).div_(keep)
        return x * mask

    def extra_repr(self) -> str:
        return f"p={self.p}"`,
  LayerScale: `class LayerScale(nn.Module):
    """x times a trainable scale per channel, starting at \`init\` (ConvNeXt, Liu et al. 2022)."""

    def __init__(self, channels: int, init: float) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.full((channels, 1, 1), float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma`,
  ChannelConv: `class ChannelConv(nn.Module):
    """ECA's 1-D convolution across the channels of a pooled N×C×1×1 tensor (Wang et al. 2020): one filter, no bias."""

    def __init__(self, kernel_size: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel_size, padding=(kernel_size - 1) // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x.view(x.shape[0], 1, -1)).view(x.shape[0], -1, 1, 1)`,
};

const MAIN = `if __name__ == "__main__":
    # \`python this_file.py\`: build each model and run one image through it.
    for name, model_class in MODELS.items():
        model = model_class().eval()
        parameters = sum(p.numel() for p in model.parameters())
        with torch.no_grad():
            output = model(torch.zeros(1, *model.input_shape))
        print(f"{name}: {parameters:,} parameters, output {tuple(output.shape)}")`;

const SHORTCUT_DOCS: Record<ShortcutOption, string> = {
  A: 'option A (identity; zero-padding where the shape changes)',
  B: 'option B (identity; a projection where the shape changes)',
  C: 'option C (a projection on every block)',
  none: 'none (a plain network)',
  identity: 'identity',
};

function modelClass(
  model: ModelNode,
  name: string,
  blocks: BlockClasses,
  file: string,
  sourceLines: readonly string[] | undefined,
  renames: Rename[],
  dropPathRate: (layer: LayerNode) => number,
): string {
  const holes = new Holes();
  const fill = holes.literal;
  const attributes = new NameAllocator('attribute', renames);
  const [h, w, c] = model.input;
  const classes = model.classes ?? model.output[2];
  const state = { flat: false };
  let flow = holes.add('channels', 'channels', c);
  const init: string[] = [];
  const forward: string[] = [];
  model.stages.forEach((stage, index) => {
    const attribute = attributes.allocate(stage.name);
    const { entries, output } = sequenceEntries(stage.nodes, flow, state, { holes, blocks, file, firstReadsShared: index === 0, renames, dropPathRate });
    flow = output;
    const { startLine, endLine } = stage.range;
    const quoted = sourceLines?.[startLine - 1]?.trim().replace(/\s+/g, ' ');
    const where = `${file}:${startLine}${endLine > startLine ? `-${endLine}` : ''}`;
    const renamed = attribute !== stage.name ? ` (attribute \`${attribute}\`: \`${stage.name}\` is taken in Python)` : '';
    init.push(`        ${commentText(`${quoted ? `${quoted}  (${where})` : `${stage.name}: ${where}`}${renamed}`)}`);
    const [head, ...rest] = sequentialText(entries, fill, '        ');
    init.push(`        self.${attribute} = ${head}`, ...rest);
    forward.push(`        x = self.${attribute}(x)`);
  });
  // Logits come out as [N, classes], as losses expect, when the network ends in 1×1.
  const flatten = !state.flat && model.output[0] === 1 && model.output[1] === 1;
  const doc =
    `Model \`${model.name}\` of ${file}:${model.nameRange.startLine}: input ${formatShape(model.input)}, ${classes} classes, shortcut ${SHORTCUT_DOCS[model.shortcut]}; ` +
    `${grouped(model.cost.params)} parameters and ${grouped(model.cost.macs)} multiply-accumulates per image, as \`resnet-studio stats\` counts them.`;
  return [
    `class ${name}(nn.Module):`,
    docstring(doc, '    '),
    '',
    `    input_shape = (${c}, ${h}, ${w})  # channels, height, width`,
    `    num_classes = ${classes}`,
    '',
    '    def __init__(self) -> None:',
    '        super().__init__()',
    ...init,
    '        initialize(self)',
    '',
    '    def forward(self, x: torch.Tensor) -> torch.Tensor:',
    ...forward,
    flatten ? '        return torch.flatten(x, 1)' : '        return x',
  ].join('\n');
}

function registry(models: readonly ModelNode[], classes: ReadonlyMap<string, string>): string {
  const entries = models.map((m) => `${stringLiteral(m.name)}: ${classes.get(m.name)}`).join(', ');
  return `# Every model of this module by its .resnet name.\nMODELS: dict[str, type[nn.Module]] = {${entries}}`;
}
