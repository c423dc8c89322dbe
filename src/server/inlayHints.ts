// `→ 28×28×512` at the end of every layer and stage line: the shape flowing out of the line.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import { formatShape } from '../core/analysis/shape';
import type { Line, Statement } from '../core/language/ast';
import type { AnalyzedDocument } from './analyzedDocuments';

export function inlayHints(analyzed: AnalyzedDocument, range: Range): InlayHint[] {
  const { document, analysis } = analyzed;
  const start = document.offsetAt(range.start);
  const end = document.offsetAt(range.end);
  const hints: InlayHint[] = [];
  const visit = (line: Line) => {
    if (line.range.endOffset < start || line.range.startOffset > end) return;
    const last = line.items[line.items.length - 1];
    // An `add` outputs its residual branch's shape, already shown on the line before.
    const uses = last && last.kind !== 'add' ? analyzed.index.uses(last.range) : [];
    // A use is the path from its model down to this line's last item, never empty.
    const firstUse = uses[0];
    const outer = firstUse?.[0];
    const inner = firstUse?.at(-1);
    if (outer && inner) {
      const output = inner.node.output;
      hints.push({
        position: document.positionAt(line.range.endOffset),
        label: `→ ${formatShape(output)}`,
        kind: InlayHintKind.Type,
        paddingLeft: true,
        ...(uses.length > 1 && { tooltip: `Output of the first use, in ${outer.model.name} (1 of ${uses.length} uses)` }),
      });
    }
    for (const item of line.items) {
      if (item.kind === 'add') item.branch?.forEach(visit);
      // A gate's factor and a split's groups: each line of theirs shows its shape too (a split's, its first group's).
      else if (item.kind === 'gate' || item.kind === 'split') item.lines.forEach(visit);
    }
  };
  for (const top of analysis.file.items) {
    if (top.kind === 'let' || top.range.endOffset < start || top.range.startOffset > end) continue;
    for (const statement of top.body ?? ([] as Statement[])) if (statement.kind === 'line') visit(statement);
  }
  return hints;
}
