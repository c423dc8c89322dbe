// The diff of two architectures as text for people: totals old → new with deltas, the stages that
// moved, then each added (+), removed (-) or changed (~) block and layer.
import { formatShape } from '../analysis/shape';
import { formatBytes, formatExact } from '../report/numbers';
import type { ArchitectureDiff, PartChange, PartFigures } from './architectureDiff';

export interface DiffLabels {
  /** Where each model came from, e.g. a file name or `HEAD:examples/x.resnet`. */
  readonly oldSource: string;
  readonly newSource: string;
  readonly batchSize: number;
}

/** `+231,211,008`, `-512`, `0`. */
export function formatSigned(n: number): string {
  return n > 0 ? `+${formatExact(n)}` : formatExact(n);
}

export function formatSignedBytes(n: number): string {
  if (n === 0) return '0 B';
  return `${n > 0 ? '+' : '-'}${formatBytes(Math.abs(n))}`;
}

export function formatDiff(diff: ArchitectureDiff, labels: DiffLabels): string {
  const lines: string[] = [`${diff.old.name} (${labels.oldSource}) → ${diff.new.name} (${labels.newSource})`, ''];
  const o = diff.old.totals;
  const n = diff.new.totals;
  lines.push(
    ...table([
      ['', 'old', 'new', 'delta'],
      ['Params', formatExact(o.params), formatExact(n.params), formatSigned(diff.delta.params)],
      ['MACs', formatExact(o.macs), formatExact(n.macs), formatSigned(diff.delta.macs)],
      [`Activations (batch ${labels.batchSize})`, formatBytes(o.activationBytes), formatBytes(n.activationBytes), formatSignedBytes(diff.delta.activationBytes)],
    ]),
  );
  const moved = diff.stages.filter((s) => s.delta.params !== 0 || s.delta.macs !== 0 || s.delta.activationBytes !== 0);
  lines.push('');
  if (moved.length === 0) lines.push('No stage changed in params, MACs or activation memory.');
  else {
    lines.push('Stages:');
    lines.push(
      ...table([['', 'params', 'MACs', 'activations'], ...moved.map((s) => [s.name, formatSigned(s.delta.params), formatSigned(s.delta.macs), formatSignedBytes(s.delta.activationBytes)])]).map(
        (l) => `  ${l}`,
      ),
    );
  }
  lines.push('');
  if (diff.changes.length === 0) lines.push('No block or layer changed.');
  else {
    const counts = (['added', 'removed', 'changed'] as const).map((c) => `${diff.changes.filter((x) => x.change === c).length} ${c}`).join(', ');
    lines.push(`Changes (${counts}):`);
    for (const change of diff.changes) lines.push(`  ${formatChange(change)}`);
  }
  return lines.join('\n');
}

export function formatChange(change: PartChange): string {
  switch (change.change) {
    case 'added':
      return `+ ${change.path}  ${describe(change.new!)}`;
    case 'removed':
      return `- ${change.path}  ${describe(change.old!)}`;
    case 'changed': {
      const o = change.old!;
      const n = change.new!;
      const parts: string[] = [];
      if (o.kind !== n.kind) parts.push(`${o.kind} → ${n.kind}`);
      else parts.push(n.kind);
      if (formatShape(o.outputShape) !== formatShape(n.outputShape)) parts.push(`shape ${formatShape(o.outputShape)} → ${formatShape(n.outputShape)}`);
      if (o.params !== n.params) parts.push(`params ${formatSigned(n.params - o.params)}`);
      if (o.macs !== n.macs) parts.push(`MACs ${formatSigned(n.macs - o.macs)}`);
      return `~ ${change.path}  ${parts.join(', ')}`;
    }
  }
}

function describe(f: PartFigures): string {
  return `${f.kind}, ${formatShape(f.outputShape)}, ${formatExact(f.params)} params, ${formatExact(f.macs)} MACs`;
}

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, col) => Math.max(...rows.map((r) => r[col]?.length ?? 0)));
  return rows.map((r) =>
    r
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
