// The language the extension speaks: the `resnet.language` setting, or with "auto" VS Code's display
// language. The one owner of that choice on the extension's side: it sets up the runtime strings
// (`l10n.t` of @vscode/l10n, which every extension module calls), and tells the language server, the
// webviews and the training worker which locale to use.
//
// Why not vscode.l10n.t alone: VS Code loads l10n/bundle.l10n.<lang>.json only for its own display
// language, and shows a display language only with that language's pack installed (code-server
// `--locale ko` without the Korean pack stays English). With "auto" the bundle VS Code loaded is used
// as is; with a language named, its bundle file is read from l10n/ (English is the source: no file).
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { chosenLocale, type LanguageChoice, type Locale } from '../core/l10n/locale';
import { SETTINGS_SECTION } from '../protocol/languageServer';

const SETTING = `${SETTINGS_SECTION}.language`;

/** What `resnet.language` says, unchecked ("auto" when unset). */
export function languageSetting(): unknown {
  return vscode.workspace.getConfiguration().get<unknown>(SETTING, 'auto' satisfies LanguageChoice);
}

/** The locale the extension speaks now. */
export function displayLocale(): Locale {
  return chosenLocale(languageSetting(), vscode.env.language);
}

/** Points `l10n.t` at the bundle of the chosen locale. */
function loadBundle(context: vscode.ExtensionContext, locale: Locale): void {
  if (locale === chosenLocale('auto', vscode.env.language)) l10n.config({ contents: vscode.l10n.bundle ?? {} });
  else if (locale === 'en') l10n.config({ contents: {} });
  else l10n.config({ fsPath: context.asAbsolutePath(`l10n/bundle.l10n.${locale}.json`) });
}

/**
 * Sets up the runtime strings for the chosen language, now and whenever `resnet.language` changes;
 * `onChange` runs after a change (open webviews reload their words). Call first in `activate`.
 */
export function useDisplayLanguage(context: vscode.ExtensionContext, onChange: (locale: Locale) => void): vscode.Disposable {
  let locale = displayLocale();
  loadBundle(context, locale);
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SETTING)) return;
    const next = displayLocale();
    if (next === locale) return;
    locale = next;
    loadBundle(context, locale);
    onChange(locale);
  });
}
