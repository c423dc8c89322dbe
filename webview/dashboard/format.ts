// Numbers as the header and legends show them.
export { formatDuration } from '../../src/core/report/numbers';

/** 272474 → "272.5K", 40_813_184 → "40.8M". */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(abs >= 1e10 ? 1 : 2)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 1 : 2)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(Math.round(n));
}

export function formatPercent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

/** A value in a legend or CSV: enough digits to compare runs, no float noise. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1000 || abs < 1e-3) return v.toPrecision(4);
  return String(Number(v.toPrecision(5)));
}

/** The folder name `2026-11-28-13-49-49-resnet20` → "resnet20 11-28 13:49". */
export function runLabel(runDir: string, model?: string): string {
  const name = runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir;
  const match = /^\d{4}-(\d{2})-(\d{2})-(\d{2})-(\d{2})-\d{2}-(.+)$/.exec(name);
  if (!match) return model ?? name;
  return `${match[5]} ${match[1]}-${match[2]} ${match[3]}:${match[4]}`;
}
