// The cost flags shared by `stats` and `train`: --convention and --memory-budget, checked.
import type { Locale } from '../core/l10n/locale';
import { CONVENTIONS, DEFAULT_CONVENTION, isConvention } from '../core/report/conventions';
import type { CostSettings } from '../core/report/costLines';
import { CliError } from './cliError';
import { memoryBudgetOption } from './numberArgument';

export function parseCostOptions(convention: string | undefined, memoryBudget: string | undefined, locale: Locale = 'en'): CostSettings {
  if (convention !== undefined && !isConvention(convention)) {
    throw new CliError(`--convention takes ${CONVENTIONS.join(', ')}, not ${JSON.stringify(convention)}`);
  }
  return { convention: convention ?? DEFAULT_CONVENTION, memoryBudgetMiB: parseMemoryBudget(memoryBudget, locale) };
}

/** MiB; 0 (no budget) when the flag is absent. The setting resnet.costs.memoryBudgetMiB is checked by the same rule. */
export function parseMemoryBudget(text: string | undefined, locale: Locale = 'en'): number {
  return memoryBudgetOption(text, '--memory-budget', locale);
}
