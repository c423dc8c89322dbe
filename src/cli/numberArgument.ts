// Whole numbers on the command line, read as a person writes them: decimal digits only. `Number()`
// alone would take `0x10` as 16, `1e3` as 1000 and `` as 0, and a count past 2^53 rounded.
import { render } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';
import { checkCount, checkMemoryBudget, type CountRule } from '../core/optionRules';
import { CliError } from './cliError';

export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The count `flag` gives, checked by its rule (src/core/optionRules.ts, which the settings use too); `fallback` when it is absent. */
export function countOption(text: string | undefined, flag: string, rule: CountRule, fallback: number, locale: Locale = 'en'): number {
  if (text === undefined) return fallback;
  const checked = checkCount(flag, wholeNumber(text), JSON.stringify(text), rule);
  if (!checked.ok) throw new CliError(render(locale, checked.problem));
  return checked.value;
}

/** `--memory-budget MIB`, checked as the setting is; 0 (no budget) when absent. */
export function memoryBudgetOption(text: string | undefined, flag: string, locale: Locale = 'en'): number {
  if (text === undefined) return 0;
  const checked = checkMemoryBudget(flag, text.trim() === '' ? undefined : Number(text), JSON.stringify(text), false);
  if (!checked.ok) throw new CliError(render(locale, checked.problem));
  return checked.value;
}
