// The cost flags shared by `stats` and `train`: --convention and --memory-budget, checked.
import { CONVENTIONS, DEFAULT_CONVENTION, isConvention } from '../core/report/conventions';
import type { CostSettings } from '../core/report/costLines';
import { CliError } from './cliError';

export function parseCostOptions(convention: string | undefined, memoryBudget: string | undefined): CostSettings {
  if (convention !== undefined && !isConvention(convention)) {
    throw new CliError(`--convention takes ${CONVENTIONS.join(', ')}, not ${JSON.stringify(convention)}`);
  }
  return { convention: convention ?? DEFAULT_CONVENTION, memoryBudgetMiB: parseMemoryBudget(memoryBudget) };
}

/** MiB; 0 (no budget) when the flag is absent. */
export function parseMemoryBudget(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--memory-budget takes the memory in MiB, e.g. 8192 for 8 GiB, not ${JSON.stringify(text)}`);
  return n;
}
