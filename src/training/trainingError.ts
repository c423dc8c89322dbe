// The error of a problem the user must fix: its message says what and how, and is shown without a
// stack trace. Its own file so that the run folder module and the dashboard can throw it without
// pulling in the analyser or TF.js. Thrown with a catalogue message (`msg(…)`), it keeps the key
// too, so the worker can say it in its parent's language; `message` is always the English.
import { render, type MessageRef } from '../core/l10n/format';
import type { Locale } from '../core/l10n/locale';

export class TrainingError extends Error {
  /** The message as a key and parameters; absent where only English exists. */
  readonly text: MessageRef | undefined;
  constructor(message: string | MessageRef) {
    super(typeof message === 'string' ? message : render('en', message));
    this.text = typeof message === 'string' ? undefined : message;
  }

  /** The message in `locale` when the catalogue has it, else the English. */
  say(locale: Locale): string {
    return this.text ? render(locale, this.text) : this.message;
  }
}
