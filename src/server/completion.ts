// Completion: the words that can come next where the cursor stands — keywords, layers, blocks,
// stage labels, model settings, recipe keys, argument names — and the paper's models as snippets.
import { msg, render, type MessageRef } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import type { ArgSpec } from '../core/analysis/arguments';
import { builtinBlocks } from '../core/analysis/builtinBlocks';
import { SHORTCUT_OPTIONS } from '../core/analysis/expand';
import { layerArgs } from '../core/analysis/layers';
import { recipeSettings } from '../core/analysis/recipe';
import type { Downsample } from '../core/analysis/network';
import type { BlockDecl, LayerOp, ModelDecl, ResnetFile } from '../core/language/ast';
import { paperModels } from '../core/paper';
import type { AnalyzedDocument } from './analyzedDocuments';
import { completionPlace, type CompletionPlace } from './completionPlace';
import { modelName, paperModelSource } from './paperTemplates';
import { downsampleMeanings, shortcutMeanings } from './shortcutOptions';

export function completions(analyzed: AnalyzedDocument, offset: number, locale: Locale = 'en'): CompletionItem[] {
  const { file } = analyzed.analysis;
  const place = completionPlace(analyzed.document.getText(), offset);
  const items = itemsFor(place, file, offset);
  if (locale === 'en') return items;
  return items.map((item) => {
    const detail = details.get(item);
    const args = documentedArguments.get(item);
    const documentation = args && argumentList(args, locale);
    return { ...item, ...(detail && { detail: render(locale, detail) }), ...(documentation !== undefined && { documentation }) };
  });
}

/** The arguments an item's documentation lists, for clients in another locale. */
const documentedArguments = new WeakMap<CompletionItem, readonly ArgSpec[]>();

/** A layer's or block's arguments as a Markdown list, each with its description in `locale`. */
function argumentList(args: readonly ArgSpec[], locale: Locale): string | undefined {
  return args.map((a) => `- \`${a.name}\`: ${render(locale, a.description)}`).join('\n') || undefined;
}

function withArguments(item: CompletionItem, args: readonly ArgSpec[]): CompletionItem {
  documentedArguments.set(item, args);
  return item;
}

/** The catalogue message behind an item's English detail, for clients in another locale. */
const details = new WeakMap<CompletionItem, MessageRef>();

function described<T extends CompletionItem>(item: T, detail: string | MessageRef): T {
  if (typeof detail === 'string') return { ...item, detail };
  details.set(item, detail);
  item.detail = render('en', detail);
  return item;
}

function itemsFor(place: CompletionPlace, file: ResnetFile, offset: number): CompletionItem[] {
  switch (place.kind) {
    case 'top':
      return [...topLevelKeywords, ...paperSnippets];
    case 'template':
      return declarations(file)
        .filter((d): d is ModelDecl => d.kind === 'model' && d.params !== undefined)
        .map((d) => snippet(d.name.text, `${d.name.text}(${d.params?.map((p, i) => `${p.name.text} = \${${i + 1}}`).join(', ')})`, CompletionItemKind.Class, msg('completion.modelTemplate')));
    case 'bodyStart':
      if (place.owner === 'model') return [...modelSettings, letKeyword, trainKeyword, ...stageLabels(file, offset), ...layerItems, ...blockItems(file)];
      if (place.owner === 'block') return [...layerItems, ...blockItems(file), ...addItems, letKeyword];
      // A split's groups run layers only; a `keep` line gives the kept group's own.
      if (place.owner === 'split') return [...layerItems, snippet('keep', 'keep ${1:avgpool 3x3, stride 2, pad 1}', CompletionItemKind.Keyword, msg('arg.splitKeep'))];
      return [...layerItems, ...blockItems(file)];
    case 'items':
      return [...layerItems, ...blockItems(file)];
    case 'settingArgs':
      return settingArgs(place.key, place.afterComma);
    case 'recipeStart':
      return recipeKeys;
    case 'recipeArgs':
      return recipeArgs(place.key);
    case 'layerArgs':
      return [...layerArgNames(place.op), ...layerItems, ...blockItems(file)];
    case 'callArgs':
      return callArgNames(file, place.callee);
    case 'afterCall':
      return [argument('stride', msg('completion.stageStride')), shortcutArgument, ...layerItems, ...blockItems(file)];
    case 'addArgs':
      return ['shortcut', 'identity', 'projection', 'zeropad'].map((w) => word(w, msg('completion.addKind')));
    case 'splitArgs':
      return [argument('cascade', msg('arg.splitCascade')), argument('keep', msg('arg.splitKeep'))];
    case 'none':
      return [];
  }
}

function snippet(label: string, insertText: string, kind: CompletionItemKind, detail: string | MessageRef, documentation?: string): CompletionItem {
  return described({ label, kind, ...(documentation !== undefined && { documentation }), insertText, insertTextFormat: InsertTextFormat.Snippet }, detail);
}

function word(label: string, detail: string | MessageRef): CompletionItem {
  return described({ label, kind: CompletionItemKind.EnumMember }, detail);
}

/** A snippet placeholder offering the shortcut options. */
function shortcutChoice(placeholder: number): string {
  return `\${${placeholder}|${SHORTCUT_OPTIONS.join(',')}|}`;
}

function argument(name: string, detail: string | MessageRef): CompletionItem {
  return described({ label: name, kind: CompletionItemKind.Property, insertText: `${name} ` }, detail);
}

const letKeyword = snippet('let', 'let ${1:name} = ${2:64}', CompletionItemKind.Keyword, msg('completion.let'));

const topLevelKeywords: CompletionItem[] = [
  snippet('model', `model \${1:name} {\n  input \${2:32x32x3}, classes \${3:10}\n  shortcut ${shortcutChoice(4)}\n\n  $0\n}`, CompletionItemKind.Keyword, msg('completion.model')),
  snippet(
    'block',
    'block ${1:name}(${2:width}, stride = 1) {\n  conv 3x3, ${2:width}, stride stride\n  bn, relu\n  conv 3x3, ${2:width}\n  bn\n  add shortcut\n  relu\n}',
    CompletionItemKind.Keyword,
    msg('completion.block'),
  ),
  letKeyword,
];

const trainKeyword = snippet(
  'train',
  'train {\n  dataset ${1|cifar10,mnist,synthetic|}\n  batch ${2:128}\n  sgd lr ${3:0.1}, momentum 0.9, weight_decay 1e-4\n  iterations ${4:64k}\n}',
  CompletionItemKind.Keyword,
  msg('completion.train'),
);

const modelSettings: CompletionItem[] = [
  snippet('input', 'input ${1:224x224x3}, classes ${2:1000}', CompletionItemKind.Property, msg('completion.input')),
  snippet('classes', 'classes ${1:10}', CompletionItemKind.Property, msg('completion.classes')),
  snippet('shortcut', `shortcut ${shortcutChoice(1)}`, CompletionItemKind.Property, msg('completion.shortcut')),
  snippet('downsample', `downsample \${1|${Object.keys(downsampleMeanings).join(',')}|}`, CompletionItemKind.Property, msg('completion.downsample')),
];

const layerSnippets: Readonly<Record<LayerOp, string>> = {
  conv: 'conv ${1:3x3}, ${2:64}',
  bn: 'bn',
  relu: 'relu',
  maxpool: 'maxpool ${1:3x3}, stride ${2:2}',
  avgpool: 'avgpool',
  globalavgpool: 'globalavgpool',
  fc: 'fc ${1:10}',
  softmax: 'softmax',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  hardsigmoid: 'hardsigmoid',
  silu: 'silu',
  swish: 'swish',
  hardswish: 'hardswish',
  gelu: 'gelu',
  gn: 'gn ${1:32}',
  ln: 'ln',
  dropout: 'dropout ${1:0.2}',
  droppath: 'droppath',
  layerscale: 'layerscale ${1:1e-6}',
  channelconv: 'channelconv ${1:3}',
  tap: 'tap',
};

const layerDetails: Readonly<Record<LayerOp, MessageRef>> = {
  conv: msg('completion.layer.conv'),
  bn: msg('completion.layer.bn'),
  relu: msg('completion.layer.relu'),
  maxpool: msg('completion.layer.maxpool'),
  avgpool: msg('completion.layer.avgpool'),
  globalavgpool: msg('completion.layer.globalavgpool'),
  fc: msg('completion.layer.fc'),
  softmax: msg('completion.layer.softmax'),
  relu6: msg('completion.layer.relu6'),
  sigmoid: msg('completion.layer.sigmoid'),
  hardsigmoid: msg('completion.layer.hardsigmoid'),
  silu: msg('completion.layer.silu'),
  swish: msg('completion.layer.silu'),
  hardswish: msg('completion.layer.hardswish'),
  gelu: msg('completion.layer.gelu'),
  gn: msg('completion.layer.gn'),
  ln: msg('completion.layer.ln'),
  dropout: msg('completion.layer.dropout'),
  droppath: msg('completion.layer.droppath'),
  layerscale: msg('completion.layer.layerscale'),
  channelconv: msg('completion.layer.channelconv'),
  tap: msg('completion.layer.tap'),
};

const layerItems: CompletionItem[] = (Object.keys(layerSnippets) as LayerOp[]).map((op) => {
  return withArguments(snippet(op, layerSnippets[op], CompletionItemKind.Function, layerDetails[op], argumentList(layerArgs[op], 'en')), layerArgs[op]);
});

const addItems: CompletionItem[] = [
  snippet('add shortcut', 'add shortcut', CompletionItemKind.Keyword, msg('completion.addShortcut')),
  snippet('add if_same', 'add if_same', CompletionItemKind.Keyword, msg('completion.addIfSame')),
  snippet('gate', 'gate {\n  avgpool, conv 1x1, ${1:16}, bias, relu, conv 1x1, ${2:256}, bias, sigmoid\n}', CompletionItemKind.Keyword, msg('completion.gate')),
  snippet('add', 'add {\n  conv 1x1, ${1:64}\n  bn\n}', CompletionItemKind.Keyword, msg('completion.addBranch')),
  snippet('split', 'split ${1:4}, cascade, keep {\n  conv 3x3, ${2:26}, bn, relu\n}', CompletionItemKind.Keyword, msg('completion.split')),
];

function declarations(file: ResnetFile): readonly (ModelDecl | BlockDecl)[] {
  return file.items.filter((d): d is ModelDecl | BlockDecl => d.kind !== 'let');
}

function blockItems(file: ResnetFile): CompletionItem[] {
  const builtins = [...builtinBlocks.values()].map((b) => withArguments(snippet(b.name, `${b.name}(\${1:64}) x \${2:2}`, CompletionItemKind.Module, b.summary, argumentList(b.args, 'en')), b.args));
  const own = declarations(file)
    .filter((d): d is BlockDecl => d.kind === 'block' && !builtinBlocks.has(d.name.text))
    .map((d) =>
      snippet(
        d.name.text,
        `${d.name.text}(${d.params
          .filter((p) => !p.defaultValue)
          .map((p, i) => `\${${i + 1}:${p.name.text}}`)
          .join(', ')}) x \${${d.params.length + 1}:1}`,
        CompletionItemKind.Module,
        `block ${d.name.text}(${d.params.map((p) => p.name.text).join(', ')})`,
      ),
    );
  return [...builtins, ...own];
}

/** The next of the paper's stage labels (`conv1`, `conv2_x` … and `head`) for the model around the cursor. */
function stageLabels(file: ResnetFile, offset: number): CompletionItem[] {
  const model = file.items.find((d): d is ModelDecl => d.kind === 'model' && d.range.startOffset <= offset && offset <= d.range.endOffset);
  const labels = new Set((model?.body ?? []).flatMap((s) => (s.kind === 'line' && s.label ? [s.label.text] : [])));
  let highest = 0;
  for (const label of labels) {
    const m = /^conv(\d+)(?:_x)?$/.exec(label);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  const next = highest === 0 ? 'conv1' : `conv${highest + 1}_x`;
  return [next, 'head'].filter((l) => !labels.has(l)).map((label) => described({ label, kind: CompletionItemKind.Field }, msg('completion.stageLabel')));
}

function settingArgs(key: string, afterComma: boolean): CompletionItem[] {
  switch (key) {
    case 'shortcut':
      return SHORTCUT_OPTIONS.map((o) => word(o, shortcutMeanings[o]));
    case 'downsample':
      return (Object.keys(downsampleMeanings) as Downsample[]).map((d) => word(d, downsampleMeanings[d]));
    case 'input':
      return afterComma ? [argument('classes', msg('completion.classes'))] : [];
    default:
      return [];
  }
}

const shortcutArgument = snippet('shortcut', `shortcut ${shortcutChoice(1)}`, CompletionItemKind.Property, msg('completion.callShortcut'));

const recipeKeys: CompletionItem[] = Object.entries(recipeSettings).map(([key, { example }]) => {
  const args = example.slice(key.length).trim();
  return snippet(key, args ? `${key} \${1:${args}}` : key, CompletionItemKind.Property, example);
});

function recipeArgs(key: string): CompletionItem[] {
  const setting = recipeSettings[key];
  if (!setting) return [];
  return setting.args.flatMap((a) => {
    if (a.type === 'word') return (a.words ?? []).map((w) => word(w, a.description));
    return a.positional ? [] : [argument(a.name, a.description)];
  });
}

/** Named arguments of a layer; the positional essentials (kernel, filters, units) come first unnamed. */
function layerArgNames(op: LayerOp): CompletionItem[] {
  return layerArgs[op].filter((a) => !['kernel', 'filters', 'units'].includes(a.name)).map((a) => argument(a.name, a.description));
}

function callArgNames(file: ResnetFile, callee: string): CompletionItem[] {
  const builtin = builtinBlocks.get(callee);
  if (builtin) return [...builtin.args.slice(1).map((a) => argument(a.name, a.description)), shortcutArgument];
  const decl = file.items.find((d): d is BlockDecl => d.kind === 'block' && d.name.text === callee);
  return decl ? decl.params.map((p) => argument(p.name.text, msg('arg.parameterOf', { name: callee }))) : [];
}

/** The paper's models, each a whole file; sorted after the keywords. */
const paperSnippets: CompletionItem[] = paperModels.map((paper, i) => {
  const name = modelName(paper);
  return described(
    {
      label: `${name} (paper ${paper.name})`,
      filterText: `${name} ${paper.name}`,
      kind: CompletionItemKind.Snippet,
      insertText: escapeSnippet(paperModelSource(paper)).replace(`model ${name} {`, `model \${1:${name}} {`),
      insertTextFormat: InsertTextFormat.Snippet,
      sortText: `z${String(i).padStart(2, '0')}`,
    },
    msg(paper.dataset === 'imagenet' ? 'completion.paperImagenet' : 'completion.paperCifar', { name: paper.name }),
  );
});

function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}
