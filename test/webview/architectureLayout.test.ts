// The architecture view's own layout, under Node (it is plain TypeScript): an edit moves only what
// follows it, folded stages are one node each, every edge joins two placed points.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/core/analysis/analyze';
import { format } from '../../src/core/l10n/format';
import { architectureGraph } from '../../src/core/report/architectureGraph';
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
