// The charts draw on canvases, which cannot use CSS variables: the theme's colours are read from
// VS Code's --vscode-* variables and the charts are rebuilt when the theme changes.

import { at } from '../../src/core/indexed';

export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly background: string;
  readonly font: string;
  /** One colour per run, in order. */
  readonly palette: readonly string[];
  /** Changes whenever any colour does. */
  readonly key: string;
}

// VS Code's chart colours; the fallbacks are for a page outside VS Code (tests, benchmarks).
const PALETTE_VARIABLES: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
];

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = read('--vscode-foreground', '#cccccc');
  const muted = read('--vscode-descriptionForeground', foreground);
  const grid = read('--vscode-contrastBorder', '') || read('--vscode-charts-lines', '') || read('--vscode-panel-border', 'rgba(128, 128, 128, 0.35)');
  const background = read('--vscode-editor-background', '#1e1e1e');
  const size = read('--vscode-font-size', '13px');
  const family = read('--vscode-font-family', 'sans-serif');
  const font = `${parseFloat(size) - 1 || 12}px ${family}`;
  const palette = PALETTE_VARIABLES.map(([name, fallback]) => read(name, fallback));
  const key = [foreground, muted, grid, background, font, ...palette].join('|');
  return { foreground, muted, grid, background, font, palette, key };
}

export function runColor(theme: Theme, index: number): string {
  return at(theme.palette, index % theme.palette.length, 'run colours');
}

/** Calls back when VS Code switches theme (it rewrites the body's class and the variables on <html>). */
export function watchTheme(onChange: () => void): void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}

/** `color` with the given opacity, for faint raw curves under their smoothed ones. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color)?.[1];
  if (hex !== undefined) {
    let digits = hex;
    if (digits.length === 3) digits = [...digits].map((d) => d + d).join('');
    digits = digits.slice(0, 6);
    return `#${digits}${Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')}`;
  }
  const [, r, g, b] = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(color) ?? [];
  if (r !== undefined && g !== undefined && b !== undefined) return `rgba(${r.trim()}, ${g.trim()}, ${b.trim()}, ${alpha})`;
  return color;
}
