// Two architecture graphs as one, for the view's diff mode: the new model's graph with the old
// model's removed parts put back where they were, and every node marked added, removed or changed
// (with what changed) from the architecture diff. Unchanged nodes carry no status.
import type { ArchitectureGraph, GraphChangeStatus, GraphItem, GraphStage } from '../report/architectureGraph';
import { mergeInOrder, type ArchitectureDiff, type PartChange } from './architectureDiff';
import { formatChange, formatSigned } from './formatDiff';

export function compareGraphs(oldGraph: ArchitectureGraph, newGraph: ArchitectureGraph, diff: ArchitectureDiff): ArchitectureGraph {
  const changes = new Map(diff.changes.map((c) => [c.path, c]));
  const stageDeltas = new Map(diff.stages.map((s) => [s.name, s.delta]));
  const oldStages = new Map(oldGraph.stages.map((s) => [s.id, s]));
  const newStages = new Map(newGraph.stages.map((s) => [s.id, s]));
  const stages = mergeInOrder(
    oldGraph.stages.map((s) => s.id),
    newGraph.stages.map((s) => s.id),
  ).map((id): GraphStage => {
    const o = oldStages.get(id);
    const n = newStages.get(id);
    if (!n) return markStage(o!, 'removed');
    if (!o) return markStage(n, 'added');
    const delta = stageDeltas.get(id);
    const moved = delta && (delta.params !== 0 || delta.macs !== 0);
    return {
      ...n,
      items: mergeItems(o.items, n.items, changes),
      ...(moved ? { status: 'changed' as const, change: `params ${formatSigned(delta.params)}, MACs ${formatSigned(delta.macs)}` } : {}),
    };
  });
  return { ...newGraph, stages };
}

function mergeItems(oldItems: readonly GraphItem[], newItems: readonly GraphItem[], changes: ReadonlyMap<string, PartChange>): GraphItem[] {
  const oldById = new Map(oldItems.map((i) => [i.id, i]));
  const newById = new Map(newItems.map((i) => [i.id, i]));
  return mergeInOrder(
    oldItems.map((i) => i.id),
    newItems.map((i) => i.id),
  ).map((id) => {
    const o = oldById.get(id);
    const n = newById.get(id);
    if (!n) return markItem(o!, 'removed', changes.get(id));
    if (!o) return markItem(n, 'added', changes.get(id));
    const change = changes.get(id);
    const status = change ? { status: change.change, change: describe(change) } : {};
    if (n.kind === 'block' && o.kind === 'block') {
      return {
        ...n,
        ...status,
        branch: mergeItems(o.branch, n.branch, changes),
        shortcutLayers: mergeItems(o.shortcutLayers, n.shortcutLayers, changes),
        after: mergeItems(o.after, n.after, changes),
      };
    }
    if (n.kind === 'split' && o.kind === 'split') {
      // Column by column; columns the old split had beyond the new one's come back as removed.
      const columns = Array.from({ length: Math.max(o.columns.length, n.columns.length) }, (_, i) => mergeItems(o.columns[i] ?? [], n.columns[i] ?? [], changes));
      return { ...n, ...status, columns };
    }
    return { ...n, ...status };
  });
}

/** The change without its sign and path: `conv 1×1/2, 128 → conv 1×1, 128, MACs +77,070,336`. */
function describe(change: PartChange): string {
  return formatChange(change).replace(/^[+~-] \S+ {2}/, '');
}

function markItem(item: GraphItem, status: GraphChangeStatus, change: PartChange | undefined): GraphItem {
  const mark = { status, ...(change ? { change: describe(change) } : {}) };
  if (item.kind === 'layer') return { ...item, ...mark };
  if (item.kind === 'split') return { ...item, ...mark, columns: item.columns.map((c) => c.map((i) => markItem(i, status, undefined))) };
  return {
    ...item,
    ...mark,
    branch: item.branch.map((i) => markItem(i, status, undefined)),
    shortcutLayers: item.shortcutLayers.map((i) => markItem(i, status, undefined)),
    after: item.after.map((i) => markItem(i, status, undefined)),
  };
}

function markStage(stage: GraphStage, status: GraphChangeStatus): GraphStage {
  return { ...stage, status, items: stage.items.map((i) => markItem(i, status, undefined)) };
}
