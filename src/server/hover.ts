// Hovers: what a layer, block call, stage or model computes — output shape, parameters, MACs, its
// share of the model, and the activation memory it needs for training — and, for a model the paper
// describes, the paper's own figures beside ours.
import { at } from '../core/indexed';
import { format, msg, render, type MessageRef, type ParamValue } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import type { Hover } from 'vscode-languageserver';
import { addCosts, splitGroupShape, zeroCost, type BlockNode, type Cost, type Downsample, type ModelNode, type NetworkNode, type ShortcutOption, type SplitNode } from '../core/analysis/network';
import { formatShape } from '../core/analysis/shape';
import type { BlockDecl, Item, ModelDecl, Setting, SourceRange } from '../core/language/ast';
import { findPaperModel } from '../core/paper';
import { computeLines, memoryLines, type CostSettings } from '../core/report/costLines';
import { describeLayer, describeSplit } from '../core/report/layerKind';
import { activationsForBatch, activationsOfNodes } from '../core/report/trainingMemory';
import { formatBytes, formatExact, formatPaperUnits, formatShare as share, formatShort } from '../core/report/numbers';
import type { AnalyzedDocument } from './analyzedDocuments';
import { toLspRange } from './ranges';
import { downsampleMeanings, shortcutMeanings } from './shortcutOptions';
import { syntaxAt } from './syntaxAt';
import { experimentHover, experimentNamedAt } from './experiments';

const FLOAT32_BYTES = 4;

export function hoverAt(analyzed: AnalyzedDocument, offset: number, batchSize: number, costs?: CostSettings, locale: Locale = 'en'): Hover | null {
  const { document, analysis } = analyzed;
  const experiment = experimentNamedAt(analyzed, offset);
  if (experiment) return { contents: { kind: 'markdown', value: experimentHover(experiment) }, range: toLspRange(document, experiment.nameRange) };
  const target = syntaxAt(analysis.file, offset);
  const word = target.word;
  let markdown: string | undefined;
  if (word?.role === 'declaration' && target.owner && word.name === target.owner.name) {
    markdown = target.owner.kind === 'model' ? modelHover(analyzed, target.owner, batchSize, costs, locale) : blockHover(analyzed, target.owner, locale);
  } else if (word?.role === 'stage') {
    markdown = stageHover(analyzed, word.name.range, batchSize, locale);
  } else if (target.item?.kind === 'add' && target.owner?.kind === 'block') {
    markdown = addHover(analyzed, target.owner, locale);
  } else if (target.item) {
    markdown = itemHover(analyzed, target.item, batchSize, locale);
  } else if (target.setting && !target.train && word?.role === 'setting') {
    markdown = settingHover(target.setting, locale);
  }
  if (!markdown) return null;
  const range = word ? toLspRange(document, word.name.range) : target.item ? toLspRange(document, target.item.range) : undefined;
  return { contents: { kind: 'markdown', value: markdown }, ...(range && { range }) };
}

function modelHover(analyzed: AnalyzedDocument, decl: ModelDecl, batchSize: number, costs: CostSettings | undefined, locale: Locale): string | undefined {
  const model = analyzed.analysis.models.find((m) => m.nameRange.startOffset === decl.name.range.startOffset);
  if (!model) {
    if (decl.params) {
      const instances = analyzed.analysis.file.items.flatMap((d) => (d.kind === 'model' && d.instanceOf?.template.text === decl.name.text ? [`\`${d.name.text}\``] : []));
      const usage = instances.length > 0 ? format(locale, 'hover.instances', { instances: instances.join(', ') }) : format(locale, 'hover.notInstantiated', { name: decl.name.text });
      return `**template ${decl.name.text}**(${decl.params.map((p) => p.name.text).join(', ')})\n\n${usage}`;
    }
    return `**model ${decl.name.text}**\n\n${format(locale, 'hover.modelNotAnalyzed')}`;
  }
  const { params, nonTrainable, macs } = model.cost;
  const paper = findPaperModel(model);
  const heading = {
    name: model.name,
    input: formatShape(model.input),
    output: formatShape(model.output),
    depth: model.depth,
    shortcut: model.plain ? msg('term.plainNoShortcuts') : `shortcut ${model.shortcut}`,
    downsample: model.downsample,
  };
  const t = (ref: MessageRef) => render(locale, ref);
  const lines = [
    model.classes === undefined ? t(msg('hover.modelHeading', heading)) : t(msg('hover.modelHeadingClasses', { ...heading, classes: model.classes })),
    '',
    t(msg('hover.modelParams', { exact: formatExact(params), short: formatShort(params), paper: paperParams(model, paper), statistics: formatExact(nonTrainable) })),
    t(msg('hover.modelMacs', { exact: formatExact(macs), units: formatPaperUnits(macs), paper: paperFlops(model, paper) })),
    t(msg('hover.weights', { bytes: formatBytes((params + nonTrainable) * FLOAT32_BYTES) })),
    t(msg('hover.modelActivations', { batch: batchSize, bytes: formatBytes(activationsForBatch(model, batchSize)) })),
  ];
  if (costs) lines.push(...[...computeLines(model, costs.convention, locale), ...memoryLines(model, batchSize, costs.memoryBudgetMiB, locale)].map((l) => `- ${l}`));
  if (paper?.cifarTestError !== undefined && !model.plain) {
    const meanStd = paper.cifarTestErrorMeanStd;
    lines.push(meanStd ? t(msg('hover.paperCifarMeanStd', { error: paper.cifarTestError, mean: meanStd[0], std: meanStd[1] })) : t(msg('hover.paperCifar', { error: paper.cifarTestError })));
  }
  if (paper) {
    const name = model.plain ? paper.name.replace('ResNet', 'plain') : paper.name;
    lines.push('', t(msg('hover.paperRecognised', { name })));
  }
  return lines.join('\n');
}

function paperParams(model: ModelNode, paper: ReturnType<typeof findPaperModel>): ParamValue {
  if (paper?.table6Mparams === undefined || model.plain) return '';
  return msg('term.paperTable6', { mparams: paper.table6Mparams });
}

function paperFlops(model: ModelNode, paper: ReturnType<typeof findPaperModel>): ParamValue {
  if (paper?.table1Gflops === undefined) return '';
  const v15 = model.downsample === 'v1.5' && paper.block === 'bottleneck';
  return msg(v15 ? 'term.paperTable1V15' : 'term.paperTable1', { gflops: paper.table1Gflops });
}

function blockHover(analyzed: AnalyzedDocument, decl: BlockDecl, locale: Locale): string {
  const params = decl.params.map((p) => p.name.text).join(', ');
  const instances = analyzed.index.blockInstances(decl.name.text);
  const heading = `**block ${decl.name.text}**(${params})`;
  const [first] = instances;
  if (first === undefined) return `${heading}\n\n${format(locale, 'hover.blockUnused')}`;
  const models = [...new Set(instances.map((i) => i.model.name))].map((n) => `\`${n}\``).join(', ');
  return [
    heading,
    '',
    format(locale, instances.length === 1 ? 'hover.blockUsedOnce' : 'hover.blockUsedTimes', { count: instances.length, models }),
    format(locale, 'hover.blockFirstUse', {
      path: first.node.path,
      input: formatShape(first.node.input),
      output: formatShape(first.node.output),
      params: formatExact(first.node.cost.params),
      macs: formatExact(first.node.cost.macs),
      shortcut: describeShortcut(first.node),
    }),
  ].join('\n');
}

function stageHover(analyzed: AnalyzedDocument, labelRange: SourceRange, batchSize: number, locale: Locale): string | undefined {
  const stages = analyzed.index.stagesAt(labelRange);
  const [innermost] = stages;
  if (innermost === undefined) return undefined;
  const { model, stage } = innermost;
  const blocks = stage.nodes.filter((n) => n.kind === 'block').length;
  const heading = { name: stage.name, input: formatShape(stage.input), output: formatShape(stage.output), count: blocks };
  return [
    format(locale, blocks === 0 ? 'hover.stageHeading' : blocks === 1 ? 'hover.stageHeadingBlock' : 'hover.stageHeadingBlocks', heading),
    '',
    ...costLines(stage.cost, stage.nodes, model, batchSize, locale),
    ...usesNote(stages.length, model, locale),
  ].join('\n');
}

function itemHover(analyzed: AnalyzedDocument, item: Item, batchSize: number, locale: Locale): string | undefined {
  const uses = analyzed.index.uses(item.range);
  const [first] = uses;
  // A use is the path of occurrences from its model down to the item: never empty.
  const outer = first?.[0];
  const nodes = first?.map((o) => o.node) ?? [];
  const [head] = nodes;
  const tail = nodes.at(-1);
  if (outer === undefined || head === undefined || tail === undefined) return undefined;
  const { model, stage } = outer;
  const input = head.input;
  const output = tail.output;
  const cost = sumCosts(nodes);
  const where = outer.use === model.name ? msg('term.stageOfModel', { stage: stage.name, model: model.name }) : msg('term.code', { name: model.name });
  const heading =
    head.kind === 'layer' ? `**${describeLayer(head.spec)}** · \`${head.path}\`` : head.kind === 'split' ? `**${describeSplit(head)}** · \`${head.path}\`` : callHeading(nodes as BlockNode[], locale);
  const lines = [heading, '', `${formatShape(input)} → ${formatShape(output)}`, '', ...costLines(cost, nodes, model, batchSize, locale)];
  if (head.kind === 'split') lines.push(splitLine(head, locale));
  if (head.kind === 'block') {
    // A block whose addition failed has no shortcut in the network: the hover says why, as the problem does.
    const failed = analyzed.analysis.diagnostics.find((d) => d.code === 'shortcut-mismatch' && d.range.startOffset === item.range.startOffset && d.range.endOffset === item.range.endOffset);
    const problem = failed && (failed.text && locale !== 'en' ? render(locale, failed.text) : failed.message);
    lines.push(problem ? format(locale, 'hover.firstBlockShortcutFails', { problem }) : format(locale, 'hover.firstBlockShortcut', { shortcut: describeShortcut(head) }));
  }
  lines.push('', format(locale, 'hover.in', { where }), ...usesNote(uses.length, model, locale));
  return lines.join('\n');
}

/** What a split does with its groups and what one group's layers cost. */
function splitLine(split: SplitNode, locale: Locale): string {
  const group = splitGroupShape(split);
  const perGroup = sumCosts(split.columns[0] ?? []);
  const kept = split.keep ? (split.columns.at(-1) ?? []) : [];
  const keep = !split.keep ? '' : kept.length === 0 ? msg('term.splitKeep') : msg('term.splitKeepLayers', { layers: kept.map((l) => describeLayer(l.spec)).join(', ') });
  return format(locale, 'hover.split', {
    groups: split.keep ? split.groups - 1 : split.groups,
    group: formatShape(group),
    params: formatExact(perGroup.params),
    macs: formatExact(perGroup.macs),
    output: formatShape(split.output),
    cascade: split.cascade ? msg('term.splitCascade') : '',
    keep,
  });
}

function callHeading(blocks: readonly BlockNode[], locale: Locale): string {
  const first = at(blocks, 0, 'called blocks');
  const last = at(blocks, blocks.length - 1, 'called blocks');
  const name = first.blockName;
  if (blocks.length === 1) return format(locale, 'hover.callHeading', { name, path: first.path });
  return format(locale, 'hover.callHeadingRepeated', { name, count: blocks.length, first: first.path, last: last.path });
}

function addHover(analyzed: AnalyzedDocument, owner: BlockDecl, locale: Locale): string | undefined {
  const instances = analyzed.index.blockInstances(owner.name.text);
  const [instance] = instances;
  if (instance === undefined) return undefined;
  const block = instance.node;
  const branchOutput = block.branch.at(-1)?.output ?? block.input;
  return [
    `**add** · ${formatShape(block.input)} + ${formatShape(branchOutput)}`,
    '',
    format(locale, 'hover.addShortcut', { shortcut: describeShortcut(block) }),
    ...usesNote(instances.length, instance.model, locale),
  ].join('\n');
}

function settingHover(setting: Setting, locale: Locale): string | undefined {
  const value = setting.args[0]?.name?.text ?? '';
  if (setting.key.text === 'shortcut' && Object.hasOwn(shortcutMeanings, value)) {
    return format(locale, 'hover.shortcutSetting', { value, meaning: shortcutMeanings[value as ShortcutOption] });
  }
  if (setting.key.text === 'downsample' && Object.hasOwn(downsampleMeanings, value)) {
    return format(locale, 'hover.downsampleSetting', { value, meaning: downsampleMeanings[value as Downsample] });
  }
  return undefined;
}

function describeShortcut(block: BlockNode): MessageRef {
  if (block.multiplies) {
    // A gate joins by multiplying: what it costs is its factor's layers.
    const factor = formatShape(block.branch.at(-1)?.output ?? block.input);
    const cost = sumCosts(block.branch);
    return msg('term.shortcutKind.gate', { factor, params: formatExact(cost.params), macs: formatExact(cost.macs) });
  }
  const shortcut = block.shortcut;
  if (!shortcut) return msg('term.shortcutKind.none');
  switch (shortcut.kind) {
    case 'identity':
      return msg('term.shortcutKind.identity');
    case 'zeropad':
      return msg('term.shortcutKind.zeropad', { stride: shortcut.stride, channels: shortcut.extraChannels });
    case 'layers': {
      const params = formatExact(shortcut.layers.reduce((sum, n) => sum + n.cost.params, 0));
      return msg(shortcut.projection ? 'term.shortcutKind.projection' : 'term.shortcutKind.branch', { params });
    }
  }
}

/** `cost` is the sum of `nodes`' costs; their activations are the part of the model's that their layers keep. */
function costLines(cost: Cost, nodes: readonly NetworkNode[], model: ModelNode, batchSize: number, locale: Locale): string[] {
  return [
    format(locale, 'hover.params', { exact: formatExact(cost.params), share: share(cost.params, model.cost.params), model: model.name }),
    format(locale, 'hover.macs', { exact: formatExact(cost.macs), share: share(cost.macs, model.cost.macs) }),
    format(locale, 'hover.modelActivations', { batch: batchSize, bytes: formatBytes(activationsOfNodes(model, nodes, batchSize)) }),
  ];
}

/** Text shared by several models or block instances shows its first use. */
function usesNote(count: number, first: ModelNode, locale: Locale): string[] {
  if (count <= 1) return [];
  return ['', format(locale, 'hover.firstOfUses', { model: first.name, count })];
}

function sumCosts(nodes: readonly NetworkNode[]): Cost {
  return nodes.reduce((sum, n) => addCosts(sum, n.cost), zeroCost);
}
