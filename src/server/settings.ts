// The `resnet.*` settings, read from whatever the client sends and checked: a missing or mistyped
// value falls back to its default instead of breaking a feature.
import type { CostSettings } from '../core/report/costLines';
import { isLanguageChoice } from '../core/l10n/locale';
import { DEFAULT_CONVENTION, isConvention } from '../core/report/conventions';
import { defaultSettings, type ResnetSettings } from '../protocol/languageServer';

export function readSettings(raw: unknown): ResnetSettings {
  const section = record(raw);
  const batchSize = record(section.summary).batchSize;
  const { convention, memoryBudgetMiB } = record(section.costs);
  return {
    inlayHints: { enabled: flag(record(section.inlayHints).enabled, defaultSettings.inlayHints.enabled) },
    codeLens: { enabled: flag(record(section.codeLens).enabled, defaultSettings.codeLens.enabled) },
    summary: {
      batchSize: typeof batchSize === 'number' && Number.isInteger(batchSize) && batchSize >= 1 ? batchSize : defaultSettings.summary.batchSize,
    },
    costs: {
      convention: typeof convention === 'string' && isConvention(convention) ? convention : defaultSettings.costs.convention,
      memoryBudgetMiB: typeof memoryBudgetMiB === 'number' && memoryBudgetMiB >= 0 ? memoryBudgetMiB : defaultSettings.costs.memoryBudgetMiB,
    },
    language: isLanguageChoice(section.language) ? section.language : defaultSettings.language,
  };
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
