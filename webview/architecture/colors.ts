// The view's colours, all from VS Code's theme variables (light, dark, high contrast): node fill
// and text, the heat scale for a node's share of MACs, params or activation memory, and the diff
// colours (added green, removed red, changed amber). SVG attributes need real colour values, so
// they are read once per theme and mixed here.

export interface Palette {
  readonly foreground: string;
  readonly muted: string;
  readonly background: string;
  readonly nodeFill: string;
  readonly nodeBorder: string;
  readonly edge: string;
  readonly shortcut: string;
  readonly heat: string;
  readonly selection: string;
  readonly error: string;
  readonly added: string;
  readonly removed: string;
  readonly changed: string;
  readonly font: string;
  /** High contrast themes: borders everywhere, no tinted fills behind text. */
  readonly highContrast: boolean;
  readonly key: string;
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const foreground = read('--vscode-foreground', '#cccccc');
  const background = read('--vscode-editor-background', '#1e1e1e');
  const contrast = read('--vscode-contrastBorder', '');
  const palette = {
    foreground,
    muted: read('--vscode-descriptionForeground', foreground),
    background,
    nodeFill: highContrast ? background : read('--vscode-editorWidget-background', read('--vscode-sideBar-background', mix(background, foreground, 0.08))),
    nodeBorder: contrast || read('--vscode-editorWidget-border', read('--vscode-panel-border', mix(background, foreground, 0.3))),
    edge: mix(background, foreground, 0.55),
    shortcut: read('--vscode-charts-blue', '#3794ff'),
    heat: read('--vscode-charts-orange', '#d18616'),
    selection: read('--vscode-focusBorder', '#0078d4'),
    error: read('--vscode-errorForeground', read('--vscode-editorError-foreground', '#f14c4c')),
    added: read('--vscode-charts-green', '#89d185'),
    removed: read('--vscode-charts-red', '#f14c4c'),
    changed: read('--vscode-charts-yellow', '#cca700'),
    font: read('--vscode-font-family', 'sans-serif'),
    highContrast,
  };
  return { ...palette, key: JSON.stringify(palette) };
}

/** `a` moved towards `b` by `t` (0…1), as `#rrggbb`. Colours VS Code writes: hex or rgb(a). */
export function mix(a: string, b: string, t: number): string {
  const x = parseColor(a);
  const y = parseColor(b);
  if (!x || !y) return t < 0.5 ? a : b;
  const share = Math.min(1, Math.max(0, t));
  const channel = (from: number, to: number) => Math.round(from + (to - from) * share);
  const [r1, g1, b1] = x;
  const [r2, g2, b2] = y;
  return `#${[channel(r1, r2), channel(g1, g2), channel(b1, b2)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function parseColor(color: string): [number, number, number] | undefined {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim())?.[1];
  if (hex !== undefined) {
    let d = hex;
    if (d.length === 3 || d.length === 4) d = [...d.slice(0, 3)].map((c) => c + c).join('');
    if (d.length < 6) return undefined;
    return [parseInt(d.slice(0, 2), 16), parseInt(d.slice(2, 4), 16), parseInt(d.slice(4, 6), 16)];
  }
  const [, r, g, b] = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(color.trim()) ?? [];
  if (r !== undefined && g !== undefined && b !== undefined) return [Number(r), Number(g), Number(b)];
  return undefined;
}

/** Black or white, whichever reads better on `fill`. */
export function textOn(fill: string, palette: Palette): string {
  const c = parseColor(fill);
  if (!c) return palette.foreground;
  const luminance = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
  return luminance > 0.55 ? '#1e1e1e' : '#f0f0f0';
}

/** A node's fill for its share of the largest node's figure (0…1): a square root, so small layers still show. */
export function heatFill(palette: Palette, relative: number): string {
  if (!(relative > 0)) return palette.nodeFill;
  return mix(palette.nodeFill, palette.heat, 0.15 + 0.8 * Math.sqrt(Math.min(1, relative)));
}
