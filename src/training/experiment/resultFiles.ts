// results.csv and results.md in an experiment's folder, written from its state when a queue ends
// (the CLI and the editor's Run Experiment both).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from '../../core/l10n/format';
import { RESULT_COLUMNS, resultRows, resultsCsv, resultsMarkdown, resultsOf, type ResultRow } from '../../core/report/experimentResults';
import type { ExperimentState } from '../../protocol/experiment';

export const RESULT_FILES = { csv: 'results.csv', markdown: 'results.md' } as const;

export function writeResultFiles(dir: string, state: ExperimentState): { rows: ResultRow[]; csv: string; markdown: string } {
  const rows = resultRows(resultsOf(state.runs));
  const csv = join(dir, RESULT_FILES.csv);
  const markdown = join(dir, RESULT_FILES.markdown);
  writeFileSync(csv, resultsCsv(rows));
  writeFileSync(
    markdown,
    `# Experiment ${state.experiment}\n\n${resultsMarkdown(
      rows,
      RESULT_COLUMNS.map((column) => format('en', column)),
    )}`,
  );
  return { rows, csv, markdown };
}
