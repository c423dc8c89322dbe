// The experiment view's results table (the paper's Table 6): one row per variant with its colour
// swatch, kind, params, MACs, runs finished, final training and test error (mean ± std over seeds),
// the best marked. Built with DOM calls and textContent only: labels come from the user's file.
import { RESULT_COLUMNS, resultCells, type ResultRow } from '../../src/core/report/experimentResults';
import type { PageText } from '../pageText';

/** The results table's columns in the page's language (the CLI and the Markdown print the same). */
export function resultHeader(text: PageText): string[] {
  return RESULT_COLUMNS.map((column) => text(column));
}

export function renderExperimentTable(table: HTMLTableElement, rows: readonly ResultRow[], colorOf: (variant: string) => string, text: PageText): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  // The swatch's column, then the columns the CLI and the Markdown print.
  for (const heading of ['', ...resultHeader(text)]) {
    const th = document.createElement('th');
    th.textContent = heading;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.variant = row.variant;
    tr.className = `${row.plain ? 'plain' : 'residual'}${row.best ? ' best' : ''}`;
    const swatch = document.createElement('span');
    swatch.className = `swatch${row.plain ? ' dashed' : ''}`;
    swatch.style.borderColor = colorOf(row.variant);
    tr.insertCell().appendChild(swatch);
    const cells = resultCells(row);
    for (const text of cells) tr.insertCell().textContent = text;
  }
}
