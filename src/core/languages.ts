/**
 * The languages the bot speaks with clients. English is the flow's own (flows/main.yaml); every
 * other has its client-facing words in flows/<code>/main.yaml. PJ's surfaces stay in English.
 */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A language with a translation file: every one but English. */
export type TranslatedLanguage = Exclude<Language, 'en'>;
export const TRANSLATED_LANGUAGES = LANGUAGES.filter((l): l is TranslatedLanguage => l !== 'en');

/**
 * What a language detector makes of one text: the language it is written in, or null when the
 * text is too short or too mixed to tell (a number, "ok", "SOC 2"). Injected (BotSettings), so
 * the core stays pure; the shell's runs a statistical detector over English and Spanish.
 */
export type LanguageDetector = (text: string) => Language | null;

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}
