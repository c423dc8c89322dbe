// The `resnet.*` settings, read from whatever the client sends and checked: a missing or mistyped
// value falls back to its default instead of breaking a feature, and a number that breaks its rule
// is said (the server shows it once) rather than used.
import type { CostSettings } from '../core/report/costLines';
import { isLanguageChoice } from '../core/l10n/locale';
import { DEFAULT_CONVENTION, isConvention } from '../core/report/conventions';
import { msg, type MessageRef } from '../core/l10n/format';
import { BATCH_SIZE, checkCount, checkMemoryBudget, type Checked } from '../core/optionRules';
import { defaultSettings, SETTINGS_SECTION, type ResnetSettings } from '../protocol/languageServer';

export interface ReadSettings {
  readonly settings: ResnetSettings;
  /** A setting that was given but breaks its rule: what is wrong, and that its default is used instead. */
  readonly problems: readonly MessageRef[];
}

/**
 * The settings as sent; a number that breaks its rule is refused by the command line's own rule
 * for it (src/core/optionRules.ts: `resnet.summary.batchSize` is `--batch`), and its default used.
 */
export function readSettings(raw: unknown): ReadSettings {
  const section = record(raw);
  // resnet.costs.memoryBudget; its old name, memoryBudgetMiB (shown as "Memory Budget Mi B"), still counts when it alone is set.
  const { convention, memoryBudget, memoryBudgetMiB } = record(section.costs);
  const budgetKey = memoryBudget === undefined && memoryBudgetMiB !== undefined ? 'memoryBudgetMiB' : 'memoryBudget';
  const problems: MessageRef[] = [];
  const checked = (value: unknown, fallback: number, check: (value: number | undefined, written: string) => Checked): number => {
    if (value === undefined || value === null) return fallback;
    const result = check(typeof value === 'number' ? value : undefined, JSON.stringify(value) ?? String(value));
    if (result.ok) return result.value;
    problems.push(msg('settings.usingDefault', { problem: result.problem, fallback }));
    return fallback;
  };
  const settings: ResnetSettings = {
    inlayHints: { enabled: flag(record(section.inlayHints).enabled, defaultSettings.inlayHints.enabled) },
    codeLens: { enabled: flag(record(section.codeLens).enabled, defaultSettings.codeLens.enabled) },
    summary: {
      batchSize: checked(record(section.summary).batchSize, defaultSettings.summary.batchSize, (n, written) => checkCount(`${SETTINGS_SECTION}.summary.batchSize`, n, written, BATCH_SIZE)),
    },
    costs: {
      convention: typeof convention === 'string' && isConvention(convention) ? convention : defaultSettings.costs.convention,
      memoryBudgetMiB: checked(memoryBudget ?? memoryBudgetMiB, defaultSettings.costs.memoryBudgetMiB, (n, written) => checkMemoryBudget(`${SETTINGS_SECTION}.costs.${budgetKey}`, n, written, true)),
    },
    language: isLanguageChoice(section.language) ? section.language : defaultSettings.language,
  };
  return { settings, problems };
}

/** Any JSON value as an object to read properties from; anything else reads as empty. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

/** The cost settings as the report modules take them (the convention already checked by readSettings). */
export function costSettings(settings: ResnetSettings): CostSettings {
  const { convention, memoryBudgetMiB } = settings.costs;
  return { convention: isConvention(convention) ? convention : DEFAULT_CONVENTION, memoryBudgetMiB };
}
