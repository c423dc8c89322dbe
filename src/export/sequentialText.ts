// Writes sequence entries as an `nn.Sequential(...)` expression, one entry a line, each with the
// source line it comes from.
import type { Fill } from './holes';
import { commentText, stringLiteral } from './pythonSyntax';
import type { Entry } from './sequences';

/** Lines of the expression; the first has no indentation (it follows `self.x = `), the rest `indent`. */
export function sequentialText(entries: readonly Entry[], fill: Fill, indent: string): string[] {
  if (entries.length === 0) return ['nn.Sequential()'];
  // Blocks alone are numbered 0, 1, …: nn.Sequential numbers its entries the same way by itself.
  const numbered = entries.every((e, i) => e.name === String(i));
  const lines = [numbered ? 'nn.Sequential(' : 'nn.Sequential(OrderedDict(['];
  for (const entry of entries) {
    const code = entry.make(fill);
    const item = numbered ? `${code},` : `(${stringLiteral(entry.name)}, ${code}),`;
    lines.push(`${indent}    ${item}${comment(entry, fill)}`);
  }
  lines.push(`${indent}${numbered ? ')' : ']))'}`);
  return lines;
}

export function comment(entry: Pick<Entry, 'line' | 'note'>, fill: Fill): string {
  const parts: string[] = [];
  if (entry.line !== undefined) {
    const line = fill(entry.line).literal;
    if (line) parts.push(line);
  }
  if (entry.note) parts.push(entry.note);
  return parts.length ? `  ${commentText(parts.join('; '))}` : '';
}
