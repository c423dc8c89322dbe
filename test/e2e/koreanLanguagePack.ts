// A minimal Korean language pack for the code-server e2e, built by the test itself: the Korean pack
// of the marketplace cannot be reached here, and without a pack VS Code does not run its workbench
// in Korean (so no extension gets Korean: not our package.nls.ko.json, not our l10n bundle, not
// initialize's locale). A pack is an extension that contributes `localizations` for a languageId;
// this one carries one string of VS Code's own, written here (the Explorer's title). Everything else
// of the workbench stays English.
//
// What we saw with code-server 4.139.1 (VS Code 1.117): installing the pack with
// `code-server --install-extension` puts it in the extensions folder but does not make `--locale ko`
// Korean (the page's _VSCODE_NLS_LANGUAGE stays unset, the Explorer says "Explorer"): the server
// picks a language pack from `languagepacks.json` in its user-data folder, a cache its language-pack
// service writes when a pack is installed through the running server, and the command-line install
// does not write it; code-server's palette has no "Configure Display Language" to do it either.
// With that file written (below: the language, a hash naming the generated translations, the pack's
// translations file), `--locale ko` runs the workbench in Korean: _VSCODE_NLS_LANGUAGE is "ko" and
// the Explorer is titled "탐색기". The <html lang> attribute stays empty either way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { installVsix, packageExtension } from './harness';

const PUBLISHER = 'resnet-studio-e2e';
const NAME = 'e2e-korean-language-pack';
/** The Explorer's title in the pack: a sign the workbench took it. */
export const KOREAN_EXPLORER_TITLE = '탐색기';

/** Writes the pack into `dir` and packages it; returns the .vsix path. */
export function buildKoreanLanguagePack(dir: string): string {
  fs.mkdirSync(path.join(dir, 'translations'), { recursive: true });
  const manifest = {
    name: NAME,
    displayName: 'Korean language pack for the ResNet Studio e2e',
    description: 'A test language pack: one translated string.',
    publisher: PUBLISHER,
    version: '0.0.1',
    engines: { vscode: '^1.101.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [
        {
          languageId: 'ko',
          languageName: 'Korean',
          localizedLanguageName: '한국어',
          translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
        },
      ],
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'README.md'), '# e2e Korean language pack\n\nBuilt by test/e2e/koreanLanguagePack.ts.\n');
  const translations = {
    version: '1.0.0',
    contents: {
      'vs/workbench/contrib/files/browser/explorerViewlet': { explore: KOREAN_EXPLORER_TITLE },
    },
  };
  fs.writeFileSync(path.join(dir, 'translations', 'main.i18n.json'), JSON.stringify(translations, null, 2));
  return packageExtension(dir, path.join(dir, `${NAME}.vsix`));
}

/**
 * Builds the pack in `workDir`, installs it into `extensionsDir`, and records it in
 * `userDataDir`/languagepacks.json as the running server would (see the top of this file); start
 * code-server with that user-data folder and `--locale ko`.
 */
export function installKoreanLanguagePack(workDir: string, extensionsDir: string, userDataDir: string): void {
  installVsix(buildKoreanLanguagePack(workDir), extensionsDir);
  const installed = fs.readdirSync(extensionsDir).find((name) => name.startsWith(`${PUBLISHER}.${NAME}-`));
  if (!installed) throw new Error(`the Korean language pack is not in ${extensionsDir} after installing it`);
  const languagePacks = {
    ko: {
      hash: 'resnet-studio-e2e-1',
      extensions: [{ extensionIdentifier: { id: `${PUBLISHER}.${NAME}` }, version: '0.0.1' }],
      translations: { vscode: path.join(extensionsDir, installed, 'translations', 'main.i18n.json') },
      label: '한국어',
    },
  };
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(languagePacks));
}
