// The paper's models as `.resnet` sources, written from its Table 1 (ImageNet) and section 4.2
// (CIFAR-10): the completion snippets and "New File from Template" both come from here.
import { paperModels, type PaperModel } from '../core/paper';
import type { PaperTemplate } from '../protocol/languageServer';
import { format } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';

/** The column where ` x n` starts on ImageNet stage lines, so the repeat counts line up. */
const REPEAT_COLUMN = 'bottleneck(128)'.length + 2;
const STAGE_LABEL_WIDTH = 'conv2_x'.length + 2;
/** Table 1's stage widths: 64, 128, 256, 512 (CIFAR: 16, 32, 64). */
const IMAGENET_WIDTHS = [64, 128, 256, 512];
const CIFAR_WIDTHS = [16, 32, 64];
/** The paper warms ResNet-110 (and deeper) up at lr 0.01 for about 400 iterations (section 4.2). */
const WARMUP_FROM_DEPTH = 110;

export function modelName(paper: PaperModel): string {
  return `resnet${paper.depth}`;
}

/** The paper's models as templates, described in the client's language. */
export function paperTemplates(locale: Locale): PaperTemplate[] {
  return paperModels.map((paper) => ({
    label: paper.name,
    description: paper.dataset === 'imagenet' ? format(locale, 'template.imagenet', { block: paper.block }) : format(locale, 'template.cifar', { n: paper.blocksPerStage[0] ?? 0 }),
    text: paperModelSource(paper),
  }));
}

export function paperModelSource(paper: PaperModel): string {
  return paper.dataset === 'imagenet' ? imagenetSource(paper) : cifarSource(paper);
}

const stageLine = (label: string, items: string) => `  ${label.padEnd(STAGE_LABEL_WIDTH)}${items}`;

function imagenetSource(paper: PaperModel): string {
  const bottleneck = paper.block === 'bottleneck';
  const stages = paper.blocksPerStage.map((count, i) => {
    const call = `${paper.block}(${IMAGENET_WIDTHS[i]})`.padEnd(REPEAT_COLUMN);
    return stageLine(`conv${i + 2}_x`, `${call}x ${count}${i > 0 ? ', stride 2' : ''}`);
  });
  return [
    `// ${paper.name}, He et al. 2015, Table 1: ${paper.block} blocks${bottleneck ? ', paper v1 (the stride on the first 1×1)' : ''}; option B shortcuts (a projection where the shape changes).`,
    `model ${modelName(paper)} {`,
    '  input 224x224x3, classes 1000',
    '  shortcut B',
    ...(bottleneck ? ['  downsample v1'] : []),
    '',
    stageLine('conv1', 'conv 7x7, 64, stride 2, bn, relu'),
    stageLine('', 'maxpool 3x3, stride 2'),
    ...stages,
    stageLine('head', 'avgpool, fc 1000'),
    '}',
    '',
  ].join('\n');
}

function cifarSource(paper: PaperModel): string {
  const n = paper.blocksPerStage[0];
  const stages = CIFAR_WIDTHS.map((width, i) => stageLine(`conv${i + 2}_x`, `basic(${width}) x ${n}${i > 0 ? ', stride 2' : ''}`));
  return [
    `// CIFAR-10 ${paper.name}, He et al. 2015, section 4.2 and Table 6: 6n+2 layers with n = ${n}; option A shortcuts (zero-padding, no extra parameters).`,
    `model ${modelName(paper)} {`,
    '  input 32x32x3, classes 10',
    '  shortcut A',
    '',
    stageLine('conv1', 'conv 3x3, 16, bn, relu'),
    ...stages,
    stageLine('head', 'avgpool, fc 10'),
    '',
    "  // The paper's CIFAR-10 recipe (section 4.2).",
    '  train {',
    '    dataset cifar10',
    '    batch 128',
    '    sgd lr 0.1, momentum 0.9, weight_decay 1e-4',
    '    decay 0.1 at 32k, 48k',
    '    iterations 64k',
    ...(paper.depth >= WARMUP_FROM_DEPTH ? ['    warmup 400, lr 0.01'] : []),
    '    augment pad 4, crop 32, flip',
    '    normalize mean',
    '    validation 5k',
    '  }',
    '}',
    '',
  ].join('\n');
}
