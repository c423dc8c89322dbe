// How figures are written for people: exact with thousands separators, or short with a unit.

/** 25557032 → "25,557,032". */
export function formatExact(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 25557032 → "25.56M", 4089184256 → "4.09G", 512 → "512". */
export function formatShort(n: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(n) >= size) return `${trim((n / size).toFixed(2))}${unit}`;
  }
  return String(n);
}

/** Bytes in binary units: 1536 → "1.50 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/** The paper's way of writing FLOPs (multiply-adds), in powers of a thousand: 11282415616 → "11.28×10⁹". */
export function formatPaperUnits(n: number): string {
  if (n === 0) return '0';
  const exponent = 3 * Math.floor(Math.log10(Math.abs(n)) / 3);
  const mantissa = n / 10 ** exponent;
  const superscript = String(exponent).replace(/[0-9-]/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'['0123456789'.indexOf(d)] ?? '⁻');
  return `${mantissa.toFixed(2)}×10${superscript}`;
}

/** A part's share of a whole, as hovers and the architecture view write it: "12.3%", "0.004%". */
export function formatShare(part: number, total: number): string {
  if (total === 0) return '0%';
  const percent = (100 * part) / total;
  return `${percent < 0.1 && percent > 0 ? percent.toFixed(3) : percent.toFixed(1)}%`;
}

function trim(fixed: string): string {
  return fixed.replace(/\.?0+$/, '');
}

/** A span of time for a status line or a header: 3725 → "1h 02m"; 245 → "4m 05s"; 12.3 → "12s"; unknown → "—". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s % 60)}s`;
  return `${s}s`;
}
