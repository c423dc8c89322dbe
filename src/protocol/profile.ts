// The messages of `resnet-studio profile --engine tfjs`: the CLI keeps TF.js out of its own bundle,
// so it asks the training worker (which has TF.js and its backends) to time every layer, and the
// worker answers once. Both sides check what they receive against these schemas.
import * as v from 'valibot';
import { BATCH_SIZE, PROFILE_REPEATS } from '../core/optionRules';
import { BackendChoiceSchema } from './training';
import { anyNumber, check, checkTagged, readonlyArray, wholeNumber, type Checked } from './check';

/** CLI → worker: time every layer of one model. */
export const ProfileCommandSchema = v.object({
  type: v.literal('profile'),
  sourceText: v.string(),
  modelName: v.string(),
  // The command line's own bounds (src/core/optionRules.ts): a worker sent more refuses it.
  batch: v.pipe(wholeNumber(BATCH_SIZE.min), v.maxValue(BATCH_SIZE.max)),
  repeats: v.pipe(wholeNumber(PROFILE_REPEATS.min), v.maxValue(PROFILE_REPEATS.max)),
  backend: BackendChoiceSchema,
  /** Folders to look for optionally installed native backends in. */
  backendDirs: readonlyArray(v.string()),
});
export type ProfileCommand = v.InferOutput<typeof ProfileCommandSchema>;

/** One analyzer layer's median times, by its path. */
export const MeasuredLayerSchema = v.object({ path: v.string(), forwardMs: anyNumber, backwardMs: anyNumber });
export type MeasuredLayer = v.InferOutput<typeof MeasuredLayerSchema>;

/** Worker → CLI: the times, or why there are none. */
export const ProfileReplySchema = v.variant('type', [
  v.object({ type: v.literal('profiled'), backend: v.string(), device: v.string(), layers: readonlyArray(MeasuredLayerSchema) }),
  v.object({ type: v.literal('profileFailed'), message: v.string() }),
]);
export type ProfileReply = v.InferOutput<typeof ProfileReplySchema>;

/**
 * The document `resnet-studio profile --json` prints (either engine), as the architecture view
 * reads it back to colour layers by measured time. Fields beyond these (kind, macs, rates) are
 * allowed and ignored.
 */
export const ProfileDocumentSchema = v.object({
  model: v.string(),
  engine: v.optional(v.picklist(['pytorch', 'tfjs'])),
  device: v.string(),
  batch: wholeNumber(1),
  layers: readonlyArray(v.object({ path: v.string(), forwardMs: v.pipe(v.number(), v.minValue(0)), backwardMs: v.pipe(v.number(), v.minValue(0)) })),
});
export type ProfileDocument = v.InferOutput<typeof ProfileDocumentSchema>;

export function checkProfileDocument(value: unknown): Checked<ProfileDocument> {
  return check(ProfileDocumentSchema, value);
}

/** A profile file's text, checked; a clear error naming the file and the fix otherwise. */
export function readProfileDocument(text: string, fileName: string): ProfileDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName} is not JSON (${(error as Error).message}); make it with \`resnet-studio profile FILE --json > ${fileName}\``);
  }
  const checked = checkProfileDocument(value);
  if (!checked.ok) throw new Error(`${fileName} is not a \`resnet-studio profile --json\` document: ${checked.error}`);
  return checked.value;
}

/** True when a worker message is meant as a profile command (it is then checked against the schema, never passed on as a training command). */
export function isProfileCommand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'type') && (value as { type: unknown }).type === 'profile';
}

export function checkProfileCommand(value: unknown): Checked<ProfileCommand> {
  return check(ProfileCommandSchema, value);
}

export function checkProfileReply(value: unknown): Checked<ProfileReply> {
  return checkTagged(ProfileReplySchema, value, ['profiled', 'profileFailed']);
}
