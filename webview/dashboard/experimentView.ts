// The experiment view's results table (the paper's Table 6): one row per variant with its colour
// swatch, kind, params, MACs, runs finished, final training and test error (mean ± std over seeds),
// the best marked. Built with DOM calls and textContent only: labels come from the user's file.
import { formatSpread, type ResultRow } from '../../src/core/report/experimentResults';
import { formatShort } from '../../src/core/report/numbers';

const HEADERS = ['', 'variant', 'kind', 'params', 'MACs', 'runs', 'train error (%)', 'test error (%)', 'best'];

export function renderExperimentTable(table: HTMLTableElement, rows: readonly ResultRow[], colorOf: (variant: string) => string): void {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const text of HEADERS) {
    const th = document.createElement('th');
    th.textContent = text;
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
    const cells = [
      row.label,
      row.plain ? 'plain' : 'residual',
      formatShort(row.params),
      formatShort(row.macs),
      `${row.finished}/${row.runs}`,
      formatSpread(row.trainError),
      formatSpread(row.testError),
      row.best ? '★ best' : '',
    ];
    for (const text of cells) tr.insertCell().textContent = text;
  }
}
