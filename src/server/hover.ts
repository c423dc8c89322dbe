// Hovers: what a layer, block call, stage or model computes — output shape, parameters, MACs, its
// share of the model, and the activation memory it needs for training — and, for a model the paper
// describes, the paper's own figures beside ours.
import type { Hover } from 'vscode-languageserver';
import { addCosts, zeroCost, type BlockNode, type Cost, type Downsample, type ModelNode, type NetworkNode, type ShortcutOption } from '../core/analysis/network';
import { formatShape } from '../core/analysis/shape';
import type { BlockDecl, Item, ModelDecl, Setting, SourceRange } from '../core/language/ast';
import { findPaperModel } from '../core/paper';
import { computeLines, memoryLines, type CostSettings } from '../core/report/costLines';
import { describeLayer } from '../core/report/layerKind';
import { activationsForBatch } from '../core/report/trainingMemory';
import { formatBytes, formatExact, formatPaperUnits, formatShare as share, formatShort } from '../core/report/numbers';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';
import { downsampleMeanings, shortcutMeanings } from './shortcutOptions';
import { syntaxAt } from './syntaxAt';
import { experimentHover, experimentNamedAt } from './experiments';

const FLOAT32_BYTES = 4;

export function hoverAt(analyzed: AnalyzedDocument, offset: number, batchSize: number, costs?: CostSettings): Hover | null {
  const { document, analysis } = analyzed;
  const experiment = experimentNamedAt(analyzed, offset);
  if (experiment) return { contents: { kind: 'markdown', value: experimentHover(experiment) }, range: toLspRange(document, experiment.nameRange) };
  const target = syntaxAt(analysis.file, offset);
  const word = target.word;
  let markdown: string | undefined;
  if (word?.role === 'declaration' && target.owner && word.name === target.owner.name) {
    markdown = target.owner.kind === 'model' ? modelHover(analyzed, target.owner, batchSize, costs) : blockHover(analyzed, target.owner);
  } else if (word?.role === 'stage') {
    markdown = stageHover(analyzed, word.name.range, batchSize);
  } else if (target.item?.kind === 'add' && target.owner?.kind === 'block') {
    markdown = addHover(analyzed, target.owner);
  } else if (target.item) {
    markdown = itemHover(analyzed, target.item, batchSize);
  } else if (target.setting && !target.train && word?.role === 'setting') {
    markdown = settingHover(target.setting);
  }
  if (!markdown) return null;
  const range = word ? toLspRange(document, word.name.range) : target.item ? toLspRange(document, target.item.range) : undefined;
  return { contents: { kind: 'markdown', value: markdown }, ...(range && { range }) };
}

function modelHover(analyzed: AnalyzedDocument, decl: ModelDecl, batchSize: number, costs?: CostSettings): string | undefined {
  const model = analyzed.analysis.models.find((m) => m.nameRange.startOffset === decl.name.range.startOffset);
  if (!model) {
    if (decl.params) {
      const instances = analyzed.analysis.file.items.flatMap((d) => (d.kind === 'model' && d.instanceOf?.template.text === decl.name.text ? [`\`${d.name.text}\``] : []));
      const usage = instances.length > 0 ? `Instances: ${instances.join(', ')}.` : `Not instantiated yet: add \`model my_net = ${decl.name.text}(…)\`.`;
      return `**template ${decl.name.text}**(${decl.params.map((p) => p.name.text).join(', ')})\n\n${usage}`;
    }
    return `**model ${decl.name.text}**\n\nNot analyzed: fix the errors in this model to see its shapes and costs.`;
  }
  const { params, nonTrainable, macs } = model.cost;
  const paper = findPaperModel(model);
  const classes = model.classes === undefined ? '' : `, ${model.classes} classes`;
  const shortcut = model.plain ? 'plain (no shortcuts)' : `shortcut ${model.shortcut}`;
  const lines = [
    `**model ${model.name}** · ${formatShape(model.input)} → ${formatShape(model.output)}${classes} · ${model.depth} layers · ${shortcut} · downsample ${model.downsample}`,
    '',
    `- Params: ${formatExact(params)} (${formatShort(params)})${paperParams(model, paper)}; BatchNorm statistics ${formatExact(nonTrainable)}`,
    `- MACs: ${formatExact(macs)} = ${formatPaperUnits(macs)} FLOPs (multiply-adds)${paperFlops(model, paper)}`,
    `- Weights (float32): ${formatBytes((params + nonTrainable) * FLOAT32_BYTES)}`,
    `- Activations for training, batch ${batchSize} (float32, what autograd keeps): ${formatBytes(activationsForBatch(model, batchSize))}`,
  ];
  if (costs) lines.push(...[...computeLines(model, costs.convention), ...memoryLines(model, batchSize, costs.memoryBudgetMiB)].map((l) => `- ${l}`));
  if (paper?.cifarTestError !== undefined && !model.plain) {
    const meanStd = paper.cifarTestErrorMeanStd ? ` (mean of 5 runs ${paper.cifarTestErrorMeanStd[0]} ± ${paper.cifarTestErrorMeanStd[1]}%)` : '';
    lines.push(`- Paper CIFAR-10 test error (Table 6): ${paper.cifarTestError}%${meanStd}`);
  }
  if (paper) {
    const name = model.plain ? paper.name.replace('ResNet', 'plain') : paper.name;
    lines.push('', `_The paper's ${name} (He et al. 2015), recognised by its input, depth and parameter count._`);
  }
  return lines.join('\n');
}

function paperParams(model: ModelNode, paper: ReturnType<typeof findPaperModel>): string {
  if (paper?.table6Mparams === undefined || model.plain) return '';
  return `; paper Table 6: ${paper.table6Mparams}M`;
}

function paperFlops(model: ModelNode, paper: ReturnType<typeof findPaperModel>): string {
  if (paper?.table1Gflops === undefined) return '';
  const note = model.downsample === 'v1.5' && paper.block === 'bottleneck' ? ' (the paper strides the first 1×1; v1.5 strides the 3×3 and costs more)' : '';
  return `; paper Table 1: ${paper.table1Gflops}×10⁹${note}`;
}

function blockHover(analyzed: AnalyzedDocument, decl: BlockDecl): string {
  const params = decl.params.map((p) => p.name.text).join(', ');
  const instances = analyzed.index.blockInstances(decl.name.text);
  const heading = `**block ${decl.name.text}**(${params})`;
  if (instances.length === 0) return `${heading}\n\nNot used by any model that could be analyzed.`;
  const models = [...new Set(instances.map((i) => i.model.name))].map((n) => `\`${n}\``).join(', ');
  const first = instances[0];
  return [
    heading,
    '',
    `Used ${instances.length} ${instances.length === 1 ? 'time' : 'times'}, in ${models}.`,
    `First use (\`${first.node.path}\`): ${formatShape(first.node.input)} → ${formatShape(first.node.output)}, ${formatExact(first.node.cost.params)} params, ${formatExact(first.node.cost.macs)} MACs; shortcut: ${describeShortcut(first.node)}.`,
  ].join('\n');
}

function stageHover(analyzed: AnalyzedDocument, labelRange: SourceRange, batchSize: number): string | undefined {
  const stages = analyzed.index.stagesAt(labelRange);
  if (stages.length === 0) return undefined;
  const { model, stage } = stages[0];
  const blocks = stage.nodes.filter((n) => n.kind === 'block').length;
  const contents = blocks > 0 ? ` · ${blocks} ${blocks === 1 ? 'block' : 'blocks'}` : '';
  return [`**stage ${stage.name}** · ${formatShape(stage.input)} → ${formatShape(stage.output)}${contents}`, '', ...costLines(stage.cost, model, batchSize), ...usesNote(stages.length, model)].join(
    '\n',
  );
}

function itemHover(analyzed: AnalyzedDocument, item: Item, batchSize: number): string | undefined {
  const uses = analyzed.index.uses(item.range);
  if (uses.length === 0) return undefined;
  const first = uses[0];
  const { model, stage } = first[0];
  const nodes = first.map((o) => o.node);
  const input = nodes[0].input;
  const output = nodes[nodes.length - 1].output;
  const cost = sumCosts(nodes);
  const where = first[0].use === model.name ? `stage \`${stage.name}\` of \`${model.name}\`` : `\`${model.name}\``;
  const heading = nodes[0].kind === 'layer' ? `**${describeLayer(nodes[0].spec)}** · \`${nodes[0].path}\`` : callHeading(nodes as BlockNode[]);
  const lines = [heading, '', `${formatShape(input)} → ${formatShape(output)}`, '', ...costLines(cost, model, batchSize)];
  if (nodes[0].kind === 'block') lines.push(`- Shortcut of the first block: ${describeShortcut(nodes[0])}`);
  lines.push('', `_In ${where}._`, ...usesNote(uses.length, model));
  return lines.join('\n');
}

function callHeading(blocks: readonly BlockNode[]): string {
  const name = blocks[0].blockName;
  if (blocks.length === 1) return `**${name}** block · \`${blocks[0].path}\``;
  return `**${name}** × ${blocks.length} blocks · \`${blocks[0].path}\` … \`${blocks[blocks.length - 1].path}\``;
}

function addHover(analyzed: AnalyzedDocument, owner: BlockDecl): string | undefined {
  const instances = analyzed.index.blockInstances(owner.name.text);
  if (instances.length === 0) return undefined;
  const block = instances[0].node;
  const branchOutput = block.branch.length > 0 ? block.branch[block.branch.length - 1].output : block.input;
  return [`**add** · ${formatShape(block.input)} + ${formatShape(branchOutput)}`, '', `Shortcut: ${describeShortcut(block)}.`, ...usesNote(instances.length, instances[0].model)].join('\n');
}

function settingHover(setting: Setting): string | undefined {
  const value = setting.args[0]?.name?.text ?? '';
  if (setting.key.text === 'shortcut' && Object.hasOwn(shortcutMeanings, value)) {
    return `**shortcut ${value}** (paper section 3.3): ${shortcutMeanings[value as ShortcutOption]}.`;
  }
  if (setting.key.text === 'downsample' && Object.hasOwn(downsampleMeanings, value)) {
    return `**downsample ${value}**: ${downsampleMeanings[value as Downsample]}.`;
  }
  return undefined;
}

function describeShortcut(block: BlockNode): string {
  const shortcut = block.shortcut;
  if (!shortcut) return 'none (no addition)';
  switch (shortcut.kind) {
    case 'identity':
      return 'identity';
    case 'zeropad':
      return `option A: subsample by ${shortcut.stride}, zero-pad ${shortcut.extraChannels} channels (no parameters)`;
    case 'layers': {
      const params = shortcut.layers.reduce((sum, n) => sum + n.cost.params, 0);
      return `${shortcut.projection ? '1×1 projection' : 'the branch written in the block'}, ${formatExact(params)} params`;
    }
  }
}

function costLines(cost: Cost, model: ModelNode, batchSize: number): string[] {
  return [
    `- Params: ${formatExact(cost.params)} (${share(cost.params, model.cost.params)} of \`${model.name}\`)`,
    `- MACs: ${formatExact(cost.macs)} (${share(cost.macs, model.cost.macs)})`,
    `- Activations for training, batch ${batchSize} (float32): ${formatBytes(cost.activations * batchSize * FLOAT32_BYTES)}`,
  ];
}

/** Text shared by several models or block instances shows its first use. */
function usesNote(count: number, first: ModelNode): string[] {
  if (count <= 1) return [];
  return ['', `_Shapes of the first use, in \`${first.name}\`: 1 of ${count} uses._`];
}

function sumCosts(nodes: readonly NetworkNode[]): Cost {
  return nodes.reduce((sum, n) => addCosts(sum, n.cost), zeroCost);
}
