// Picking one model of a file by name, and the one message for when there is none by that name
// (the CLI's commands, the training worker and the editor all say it the same way).
import type { ModelNode } from '../analysis/network';
import { msg, render, type MessageRef } from '../l10n/format';

export function noModelNamed(file: string, wanted: string, models: readonly Pick<ModelNode, 'name'>[]): string {
  return render('en', noModelNamedText(file, wanted, models));
}

/** The same message as a catalogue entry, for whoever says it in another language. */
export function noModelNamedText(file: string, wanted: string, models: readonly Pick<ModelNode, 'name'>[]): MessageRef {
  const names = models.map((m) => m.name).join(', ');
  return msg('model.noneNamed', { file, name: wanted, models: names || msg('term.noModels') });
}
