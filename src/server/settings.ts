// The `resnet.*` settings, read from whatever the client sends and checked: a missing or mistyped
// value falls back to its default instead of breaking a feature.
import { defaultSettings, type ResnetSettings } from '../protocol/languageServer';

export function readSettings(raw: unknown): ResnetSettings {
  const section = record(raw);
  const batchSize = record(section.summary).batchSize;
  return {
    inlayHints: { enabled: flag(record(section.inlayHints).enabled, defaultSettings.inlayHints.enabled) },
    codeLens: { enabled: flag(record(section.codeLens).enabled, defaultSettings.codeLens.enabled) },
    summary: {
      batchSize: typeof batchSize === 'number' && Number.isInteger(batchSize) && batchSize >= 1 ? batchSize : defaultSettings.summary.batchSize,
    },
  };
}

/** Any JSON value as an object to read properties from; anything else reads as empty. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}
