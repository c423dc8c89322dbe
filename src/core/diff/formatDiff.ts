// The diff of two architectures as text for people: totals old → new with deltas, the stages that
// moved, then each added (+), removed (-) or changed (~) block and layer.
import { formatShape } from '../analysis/shape';
import { format } from '../l10n/format';
import type { Locale } from '../l10n/locale';
import { formatBytes, formatExact } from '../report/numbers';
import { displayWidth } from '../report/textWidth';
import type { ArchitectureDiff, PartChange, PartFigures } from './architectureDiff';

export interface DiffLabels {
  /** Where each model came from, e.g. a file name or `HEAD:examples/x.resnet`. */
  readonly oldSource: string;
  readonly newSource: string;
  readonly batchSize: number;
  /** The language of the words (headings, sentences); figures, names and shapes are the same in all. English by default. */
  readonly locale?: Locale;
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
  const locale = labels.locale ?? 'en';
  const lines: string[] = [`${diff.old.name} (${labels.oldSource}) → ${diff.new.name} (${labels.newSource})`, ''];
  const o = diff.old.totals;
  const n = diff.new.totals;
  lines.push(
    ...table([
      ['', format(locale, 'diff.column.old'), format(locale, 'diff.column.new'), format(locale, 'diff.column.delta')],
      [format(locale, 'diff.row.params'), formatExact(o.params), formatExact(n.params), formatSigned(diff.delta.params)],
      ['MACs', formatExact(o.macs), formatExact(n.macs), formatSigned(diff.delta.macs)],
      [format(locale, 'diff.row.activations', { batch: labels.batchSize }), formatBytes(o.activationBytes), formatBytes(n.activationBytes), formatSignedBytes(diff.delta.activationBytes)],
    ]),
  );
  const moved = diff.stages.filter((s) => s.delta.params !== 0 || s.delta.macs !== 0 || s.delta.activationBytes !== 0);
  lines.push('');
  if (moved.length === 0) lines.push(format(locale, 'diff.noStageChanged'));
  else {
    lines.push(format(locale, 'diff.stages'));
    lines.push(
      ...table([
        ['', format(locale, 'diff.column.params'), 'MACs', format(locale, 'diff.column.activations')],
        ...moved.map((s) => [s.name, formatSigned(s.delta.params), formatSigned(s.delta.macs), formatSignedBytes(s.delta.activationBytes)]),
      ]).map((l) => `  ${l}`),
    );
  }
  lines.push('');
  if (diff.changes.length === 0) lines.push(format(locale, 'diff.noChange'));
  else {
    const count = (c: PartChange['change']) => diff.changes.filter((x) => x.change === c).length;
    lines.push(format(locale, 'diff.changes', { added: count('added'), removed: count('removed'), changed: count('changed') }));
    for (const change of diff.changes) lines.push(`  ${formatChange(change, locale)}`);
  }
  return lines.join('\n');
}

export function formatChange(change: PartChange, locale: Locale = 'en'): string {
  switch (change.change) {
    case 'added':
      return `+ ${change.path}  ${describe(change.new!, locale)}`;
    case 'removed':
      return `- ${change.path}  ${describe(change.old!, locale)}`;
    case 'changed': {
      const o = change.old!;
      const n = change.new!;
      const parts: string[] = [];
      if (o.kind !== n.kind) parts.push(`${o.kind} → ${n.kind}`);
      else parts.push(n.kind);
      if (formatShape(o.outputShape) !== formatShape(n.outputShape)) parts.push(format(locale, 'diff.change.shape', { old: formatShape(o.outputShape), new: formatShape(n.outputShape) }));
      if (o.params !== n.params) parts.push(format(locale, 'diff.change.params', { delta: formatSigned(n.params - o.params) }));
      if (o.macs !== n.macs) parts.push(`MACs ${formatSigned(n.macs - o.macs)}`);
      return `~ ${change.path}  ${parts.join(', ')}`;
    }
  }
}

function describe(f: PartFigures, locale: Locale): string {
  return format(locale, 'diff.part', { kind: f.kind, shape: formatShape(f.outputShape), params: formatExact(f.params), macs: formatExact(f.macs) });
}

/** Columns lined up in a terminal: a Korean heading counts two columns a syllable. */
function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, col) => Math.max(...rows.map((r) => displayWidth(r[col] ?? ''))));
  const pad = (cell: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(cell)));
  return rows.map((r) =>
    r
      .map((cell, col) => (col === 0 ? cell + pad(cell, widths[col] ?? 0) : pad(cell, widths[col] ?? 0) + cell))
      .join('  ')
      .trimEnd(),
  );
}
