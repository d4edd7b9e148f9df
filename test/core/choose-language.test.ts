import { describe, expect, it } from 'vitest';
import { createLanguageDetector } from '../../src/adapters/flow-files/detect-language.js';
import { chooseLanguage } from '../../src/core/choose-language.js';
import { interpret } from '../../src/core/interpret.js';
import type { Language } from '../../src/core/languages.js';
import { shippedFlows } from '../support/flows.js';

const { lexicon } = shippedFlows();
const detect = createLanguageDetector();
const read = (text: string) => interpret(text, lexicon, 'product');

describe('reading the language a text asks for', () => {
  it.each<[string, Language]>([
    ['english please', 'en'],
    ['English?', 'en'],
    ['in english', 'en'],
    ['no hablo español', 'en'],
    ['Español', 'es'],
    ['¿en español?', 'es'],
    ['en español por favor', 'es'],
    ['hola, ¿habla español?', 'es'],
    ['no hablo inglés', 'es'],
    ['spanish please', 'es'],
  ])('%j asks for %s and says nothing else', (text, language) => {
    const reading = read(text);
    expect(reading.languageAsked).toBe(language);
    expect(reading.intent).toBe('language');
  });

  it('keeps the answer that comes with the request', () => {
    const reading = read('hacemos nómina, en español por favor');
    expect(reading.languageAsked).toBe('es');
    expect(reading.intent).toBe('answer');
    expect(reading.product?.financial).toBe('payroll');
  });

  it.each(['we sell spanish lessons online', 'our app teaches english to kids', 'enseñamos inglés en línea'])(
    'reads a language named in a description as no request: %j',
    (text) => {
      expect(read(text).languageAsked).toBeNull();
    },
  );

  it.each<[string, Language | null]>([
    ['hola', 'es'],
    ['gracias', 'es'],
    ['BAJA', 'es'],
    ['hi', 'en'],
    ['thanks', 'en'],
    ['2', null],
    ['ok', null],
  ])('reads the cue words of %j as %s', (text, language) => {
    expect(read(text).languageCue).toBe(language);
  });
});

describe('the language detector (eld, English and Spanish only)', () => {
  it.each<[string, Language | null]>([
    ['hola, necesito saber qué reporte SOC necesito', 'es'],
    ['somos una plataforma de software para clínicas dentales', 'es'],
    ['el director financiero de un cliente', 'es'],
    ['we run payroll for dental clinics', 'en'],
    ['their CFO wants it before year end', 'en'],
    ['2', null],
    ['ok', null],
    ['SOC 2', null],
    ['asdf', null],
  ])('reads %j as %s', (text, language) => {
    expect(detect(text)).toBe(language);
  });
});

describe("choosing the conversation's language", () => {
  const fresh = { language: 'en', languageSettled: false } as const;
  const settledEs = { language: 'es', languageSettled: true } as const;
  const cue = (languageCue: Language | null, languageAsked: Language | null = null) => ({ languageCue, languageAsked });

  it('switches on request, at any point', () => {
    expect(chooseLanguage(settledEs, cue(null, 'en'), 'es')).toEqual({
      type: 'user.wroteIn',
      language: 'en',
      settled: true,
    });
    expect(chooseLanguage(settledEs, cue(null, 'es'), null)).toBeNull();
  });

  it('settles on the detector, unless the cue words disagree, which set it for now', () => {
    expect(chooseLanguage(fresh, cue(null), 'es')).toEqual({ type: 'user.wroteIn', language: 'es', settled: true });
    expect(chooseLanguage(fresh, cue('es'), 'en')).toEqual({ type: 'user.wroteIn', language: 'es', settled: false });
    expect(chooseLanguage(fresh, cue('es'), null)).toEqual({ type: 'user.wroteIn', language: 'es', settled: false });
    expect(chooseLanguage(fresh, cue(null), null)).toBeNull();
  });

  it("leaves a settled language to the client's own request", () => {
    expect(chooseLanguage(settledEs, cue('en'), 'en')).toBeNull();
  });
});
