// Which of our languages a locale tag asks for: VS Code's "ko", LSP's "ko-KR", POSIX's "ko_KR.UTF-8".
// English is the source language and the answer for every tag we have no catalogue for.

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

export function localeOf(tag: string | undefined): Locale {
  const language = (tag ?? '')
    .trim()
    .toLowerCase()
    .split(/[-_.@]/)[0];
  return language === 'ko' ? 'ko' : 'en';
}

/**
 * The locale a command line runs in, as POSIX programs choose it: LC_ALL, then LC_MESSAGES, then
 * LANG; the first that is set and not empty decides ("C" and "POSIX" mean English).
 */
export function localeFromEnvironment(env: Readonly<Record<string, string | undefined>>): Locale {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const value = env[name];
    if (value) return localeOf(value);
  }
  return 'en';
}

/** What the `resnet.language` setting may say: "auto" follows the editor's display language. */
export const LANGUAGE_CHOICES = ['auto', ...LOCALES] as const;
export type LanguageChoice = (typeof LANGUAGE_CHOICES)[number];

export function isLanguageChoice(value: unknown): value is LanguageChoice {
  return typeof value === 'string' && (LANGUAGE_CHOICES as readonly string[]).includes(value);
}

/**
 * The language to speak: the setting's when it names one, else the editor's display language. The
 * setting exists because VS Code shows its display language only with that language's pack installed.
 */
export function chosenLocale(choice: unknown, displayLanguage: string | undefined): Locale {
  return isLanguageChoice(choice) && choice !== 'auto' ? choice : localeOf(displayLanguage);
}
