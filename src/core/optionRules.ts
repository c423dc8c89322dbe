// The numbers a person sets, on the command line or in the editor's settings (a batch size, a
// memory budget, how many steps a profile times): what each may be, checked by one rule wherever
// it is given, so the command line and the settings accept and refuse the same values, and say so
// in the same words.
import { msg, type MessageRef } from './l10n/format';

/** A whole number from `min` to `max`. */
export interface CountRule {
  readonly min: number;
  readonly max: number;
}

/**
 * A batch (`stats --batch`, `diff --batch`, `profile --batch`, `resnet.summary.batchSize`). The
 * largest published ImageNet batches are 64k; 2^20 leaves room, and keeps batch × an image's
 * figures far from 2^53, past which they could not be counted exactly.
 */
export const BATCH_SIZE: CountRule = { min: 1, max: 1_048_576 };

/** Timed steps of `profile --repeats`: a median over more than this many tells nothing more. */
export const PROFILE_REPEATS: CountRule = { min: 1, max: 1000 };

/** `profile --time-limit`, in seconds: at most a day. */
export const PROFILE_SECONDS: CountRule = { min: 1, max: 86_400 };

/** The default time limit of a profile, in seconds: ten minutes. */
export const DEFAULT_PROFILE_SECONDS = 600;

/** A memory budget in MiB (`--memory-budget`, `resnet.costs.memoryBudgetMiB`): up to 1 PiB. */
export const MAX_MEMORY_BUDGET_MIB = 1024 ** 3;

export type Checked = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly problem: MessageRef };

/**
 * `value` for the option or setting `name` when it keeps `rule`, else why not. `value` is
 * undefined when what was written is no number at all; `written` is how to show what was written.
 */
export function checkCount(name: string, value: number | undefined, written: string, rule: CountRule): Checked {
  if (value !== undefined && Number.isSafeInteger(value) && value >= rule.min && value <= rule.max) return { ok: true, value };
  return { ok: false, problem: msg('option.count', { name, min: rule.min.toLocaleString('en-US'), max: rule.max.toLocaleString('en-US'), value: written }) };
}

/** A memory budget in MiB; 0 (no budget) is one only where `zeroMeansNone` (the setting). */
export function checkMemoryBudget(name: string, value: number | undefined, written: string, zeroMeansNone: boolean): Checked {
  if (value !== undefined && Number.isFinite(value) && (zeroMeansNone ? value >= 0 : value > 0) && value <= MAX_MEMORY_BUDGET_MIB) return { ok: true, value };
  const params = { name, max: MAX_MEMORY_BUDGET_MIB.toLocaleString('en-US'), value: written };
  return { ok: false, problem: zeroMeansNone ? msg('option.memoryBudgetOrNone', params) : msg('option.memoryBudget', params) };
}
