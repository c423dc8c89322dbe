// results.csv and results.md in an experiment's folder, written from its state when a queue ends
// (the CLI and the editor's Run Experiment both).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from '../../core/l10n/format';
import { RESULT_COLUMNS, resultRows, resultsCsv, resultsMarkdown, resultsOf, type ResultRow } from '../../core/report/experimentResults';
import { responsesMarkdown } from '../../core/report/layerStats';
import type { ExperimentState } from '../../protocol/experiment';
import type { LayerStatsMessage } from '../../protocol/training';
import { readMetricsTail } from '../runFolder/runFolder';

/** The end of a run's metrics.jsonl read for its last layer statistics (ResNet-1202's are about 300 KB). */
const LAYER_STATS_TAIL_BYTES = 1024 * 1024;

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
    )}${responsesPanel(state)}`,
  );
  return { rows, csv, markdown };
}

/** Fig. 7 for results.md: each variant's first run with layer statistics, its last measurement. */
function responsesPanel(state: ExperimentState): string {
  const variants: { label: string; step: number; layers: LayerStatsMessage['layers'] }[] = [];
  const seen = new Set<string>();
  for (const result of resultsOf(state.runs)) {
    if (seen.has(result.variant) || !result.runDir) continue;
    let last: LayerStatsMessage | undefined;
    try {
      for (const m of readMetricsTail(result.runDir, LAYER_STATS_TAIL_BYTES).messages) if (m.type === 'layerStats') last = m;
    } catch {
      continue; // no metrics.jsonl (a run that never started): no column
    }
    if (!last) continue;
    seen.add(result.variant);
    variants.push({ label: result.label, step: last.step, layers: last.layers });
  }
  const panel = responsesMarkdown(variants);
  return panel ? `\n${panel}` : '';
}
