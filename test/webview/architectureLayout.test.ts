// The architecture view's own layout, under Node (it is plain TypeScript): an edit moves only what
// follows it, folded stages are one node each, every edge joins two placed points.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { format } from '../../src/core/l10n/format';
import { architectureGraph } from '../../src/core/report/architectureGraph';
import { parseToArchitecture } from '../../src/protocol/architecture';
import { estimateText, layoutGraph, type LayoutText } from '../../webview/architecture/layout';
import { readExample } from '../helpers/examples';

/** Under Node there is no font: the layout's estimate, and the English words. */
const TEXT: LayoutText = {
  measure: estimateText,
  words: {
    blocks: (count) => format('en', count === 1 ? 'webview.architecture.stage.blocks.one' : 'webview.architecture.stage.blocks.other', { count }),
    layers: (count) => format('en', count === 1 ? 'webview.architecture.stage.layers.one' : 'webview.architecture.stage.layers.other', { count }),
    cannotAdd: format('en', 'webview.architecture.cannotAdd'),
  },
};

const graphOf = (source: string) => {
  const a = analyze(source);
  return architectureGraph(a.models[0], a.diagnostics, 128);
};

test('an edit in a later stage leaves every node before it where it was', () => {
  const source = readExample('torchvision/resnet152.resnet');
  const edited = source.replace(/conv5_x(\s+)bottleneck\(512\)/, 'conv5_x$1bottleneck(384)');
  assert.notEqual(edited, source);
  const before = layoutGraph(graphOf(source), new Set(), TEXT);
  const after = layoutGraph(graphOf(edited), new Set(), TEXT);
  const earlier = before.nodes.filter((n) => n.source.stage !== undefined && !['conv5_x', 'head'].includes(n.source.stage));
  assert.ok(earlier.length > 400);
  for (const n of earlier) {
    const m = after.byId.get(n.id);
    assert.ok(m, n.id);
    assert.deepEqual([m.x, m.y, m.width, m.height], [n.x, n.y, n.width, n.height], n.id);
  }
});

test('folded stages are one node each; unfolded, a stage holds its blocks inside its box', () => {
  const graph = graphOf(readExample('cifar/resnet1202.resnet'));
  const folded = layoutGraph(graph, new Set(graph.stages.map((s) => s.id)), TEXT);
  assert.deepEqual(
    folded.nodes.map((n) => n.kind),
    ['io', ...graph.stages.map(() => 'stage'), 'io'],
  );
  const open = layoutGraph(graph, new Set(graph.stages.filter((s) => s.id !== 'conv3_x').map((s) => s.id)), TEXT);
  const box = open.groups.find((g) => g.id === 'conv3_x')!;
  const inside = open.nodes.filter((n) => n.source.stage === 'conv3_x' && n.kind !== 'stage');
  assert.ok(inside.length >= 200 * 7, 'each basic block: five layers, the addition, the ReLU after it');
  for (const n of inside) assert.ok(n.y >= box.y && n.y + n.height <= box.y + box.height && n.x >= box.x && n.x + n.width <= box.x + box.width, n.id);
  // Nodes never overlap: sorted by top, each starts below the one before in the same lane.
  const lanes = new Map<number, typeof inside>();
  for (const n of inside) lanes.set(n.x, [...(lanes.get(n.x) ?? []), n]);
  for (const lane of lanes.values()) {
    const sorted = [...lane].sort((a, b) => a.y - b.y);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].y >= sorted[i - 1].y + sorted[i - 1].height, sorted[i].id);
  }
});

test('every edge starts and ends on a node, with the shape it carries as its label', () => {
  const graph = graphOf(readExample('imagenet/resnet18.resnet'));
  const layout = layoutGraph(graph, new Set(), TEXT);
  const ends = new Set(layout.nodes.flatMap((n) => [`${n.x + n.width / 2},${n.y}`, `${n.x + n.width / 2},${n.y + n.height}`, `${n.x + n.width},${n.y + n.height / 2}`]));
  for (const e of layout.edges) {
    const first = e.points[0];
    const last = e.points[e.points.length - 1];
    // A shortcut starts where it splits from the main edge (inside its block), the others on a node.
    if (!e.shortcut) assert.ok(ends.has(`${first[0]},${first[1]}`), `${e.id} starts on a node`);
    assert.ok(ends.has(`${last[0]},${last[1]}`), `${e.id} ends on a node`);
    // The bend into a projection's lane carries no label: the main line beside it has the same shape.
    if (/\.shortcut\.conv1<$/.test(e.id)) assert.equal(e.label, undefined, e.id);
    else assert.match(e.label ?? '', /\d+×\d+×\d+/, e.id);
  }
  // ResNet-18: 8 blocks, 3 with a projection (option B where the shape changes), 5 identity.
  assert.equal(layout.edges.filter((e) => e.shortcut && /^identity/.test(e.label ?? '')).length, 5);
});

test('a gate is drawn joining by a multiplication, labelled as a gate, with its layers and their cost inside; a tapped projection says where it reads', () => {
  const graph = graphOf(readExample('modern/se-resnet50.resnet'));
  const bottleneck = graph.stages.find((s) => s.id === 'conv2_x')?.items[0];
  assert.ok(bottleneck?.kind === 'block');
  const gate = bottleneck.branch.find((i) => i.kind === 'block');
  assert.ok(gate?.kind === 'block', 'the se gate is a block in the branch');
  assert.equal(gate.shortcut, 'gate');
  assert.equal(gate.shortcutLabel, 'gate: input × factor');
  // squeeze 256 → 16 → 256 with biases: (256·16 + 16) + (16·256 + 256).
  assert.equal(gate.cost.params, 256 * 16 + 16 + 16 * 256 + 256);
  assert.equal(
    gate.cost.params,
    gate.branch.reduce((sum, i) => sum + i.cost.params, 0),
  );
  const laid = layoutGraph(graph, new Set(graph.stages.filter((s) => s.id !== 'conv2_x').map((s) => s.id)), TEXT);
  const join = laid.nodes.find((n) => n.id === `${gate.id}+`);
  assert.equal(join?.kind, 'add');
  assert.equal(join?.source.label, 'multiply');
  assert.equal(laid.nodes.find((n) => n.id === `${bottleneck.id}+`)?.source.label, 'add');
  const edge = laid.edges.find((e) => e.id === `${gate.id}+<s`);
  assert.match(edge?.label ?? '', /^gate: input × factor · 56×56×256$/);

  const preact = graphOf(readExample('modern/preact-resnet164.resnet'));
  const first = preact.stages.find((s) => s.id === 'conv2_x')?.items[0];
  assert.ok(first?.kind === 'block');
  assert.equal(first.shortcutLabel, 'projection from the tap');
});

test("a split is drawn as its groups side by side, a cascade's additions as a staircase, and the concatenation (‖) on the main line; its graph passes the view's message schema", () => {
  const graph = graphOf(readExample('modern/res2net50-26w-4s.resnet'));
  const stage = graph.stages.find((s) => s.id === 'conv2_x');
  const [first, second] = stage?.items ?? [];
  assert.ok(first?.kind === 'block' && second?.kind === 'block');
  const cascade = second.branch.find((i) => i.kind === 'split');
  const pooled = first.branch.find((i) => i.kind === 'split');
  assert.ok(cascade?.kind === 'split' && pooled?.kind === 'split');
  assert.equal(cascade.label, 'split 4, cascade, keep');
  assert.deepEqual(
    cascade.columns.map((c) => c.map((i) => i.id)),
    [0, 1, 2].map((g) => [`conv2_x.1.convs.${g}`, `conv2_x.1.bns.${g}`, `conv2_x.1.relus.${g}`]).concat([[]]),
  );
  assert.deepEqual(
    pooled.columns.at(-1)?.map((i) => i.id),
    ['conv2_x.0.pool'],
  );

  const laid = layoutGraph(graph, new Set(graph.stages.filter((s) => s.id !== 'conv2_x').map((s) => s.id)), TEXT);
  const at = (id: string) => {
    const n = laid.byId.get(id);
    assert.ok(n, id);
    return n;
  };
  const concat = laid.nodes.find((n) => n.id === `${cascade.id}‖`);
  assert.equal(concat?.kind, 'add');
  assert.equal(concat?.source.glyph, '‖');
  assert.equal(concat?.source.label, 'concat');
  // The cascade: an addition atop groups 2 and 3 (not the kept 4th); each group starts below the one before it.
  assert.deepEqual(
    laid.nodes.filter((n) => n.id.startsWith(`${cascade.id}.cascade`)).map((n) => n.id),
    [`${cascade.id}.cascade1`, `${cascade.id}.cascade2`],
  );
  const convs = [0, 1, 2].map((g) => at(`conv2_x.1.convs.${g}`));
  for (let g = 1; g < 3; g++) {
    assert.ok(convs[g].x > convs[g - 1].x, 'side by side');
    assert.ok(convs[g].y > convs[g - 1].y + 3 * 26, 'a staircase: each group after the one it adds from');
  }
  assert.ok(
    convs.every((c) => c.y < (concat?.y ?? 0)),
    'the concatenation below every group',
  );
  // The stage-first block's groups start side by side on one row, the pooled one last.
  const rows = [0, 1, 2].map((g) => at(`conv2_x.0.convs.${g}`).y);
  assert.deepEqual(new Set(rows).size, 1);
  assert.ok(at('conv2_x.0.pool').x > at('conv2_x.0.convs.2').x);
  assert.ok(at('conv2_x.0.pool').y === rows[0]);
  // Every group's edge ends on the concatenation: four into each split's ‖.
  assert.equal(laid.edges.filter((e) => e.id.startsWith(`${cascade.id}‖<`)).length, 4);
  assert.equal(laid.edges.filter((e) => e.id.startsWith(`${pooled.id}‖<`)).length, 4);

  // What the extension sends the view is checked against the view's schema: splits and gates pass.
  for (const example of ['modern/res2net50-26w-4s.resnet', 'modern/se-resnet50.resnet']) {
    const message = { type: 'graph', uri: 'file:///x.resnet', fileName: 'x.resnet', graph: graphOf(readExample(example)), models: [] };
    assert.ok(parseToArchitecture(message), `${example}: the graph message parses`);
  }
});
