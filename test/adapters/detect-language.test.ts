import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLanguageDetector } from '../../src/adapters/flow-files/detect-language.js';
import { eldOn } from '../../src/adapters/flow-files/eld-detector.js';
import { LANGUAGE_TABLE } from '../../src/adapters/flow-files/language-table.js';
import { installedTable, pruned } from '../../scripts/update-language-table.js';
import { LANGUAGES } from '../../src/core/languages.js';
import { loadCorpus } from '../../eval/eval-corpus.js';
import { REPO_ROOT } from '../support/bot-process.js';

/** Every text of the eval corpora (English and Spanish clients), and a few in other languages. */
const CORPUS_DIR = join(REPO_ROOT, 'eval', 'corpus');
const TEXTS = [
  ...readdirSync(CORPUS_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => loadCorpus(join(CORPUS_DIR, name)).flatMap((c) => c.messages)),
  'bonjour, nous faisons la paie pour les restaurants',
  'wir machen die Lohnabrechnung für Restaurants',
  'fazemos a folha de pagamento para restaurantes',
  'мы делаем расчет зарплаты',
];

/** What eld makes of each text, narrowed to the bot's languages: language, reliability, scores. */
const READ = `
import { eld } from 'eld/extrasmall';
const detector = eld.newInstance();
detector.setLanguageSubset(${JSON.stringify(LANGUAGES)});
const texts = JSON.parse(await new Promise((resolve) => { let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => resolve(s)); }));
const readings = texts.map((text) => { const r = detector.detect(text); return [r.language, r.isReliable(), r.getScores()]; });
const { ngramsData } = await import(new URL('../ngrams/extrasmall.js', import.meta.resolve('eld/extrasmall')).href);
console.log(JSON.stringify({ readings, ngrams: Object.keys(ngramsData.ngrams).length }));
`;

describe('the language detector', () => {
  it('reads every text exactly as eld with its whole table does, from the table pruned to the bot languages', async () => {
    // eld with its whole table, in a process of its own.
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', READ], {
      cwd: REPO_ROOT,
      input: JSON.stringify(TEXTS),
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const whole = JSON.parse(child.stdout) as { readings: unknown[]; ngrams: number };

    // eld on the table the bot ships (language-table.ts), as detectorOn builds it.
    const detector = eldOn(LANGUAGE_TABLE);
    const shipped = TEXTS.map((text) => {
      const r = detector.detect(text);
      return [r.language, r.isReliable(), r.getScores()];
    });
    expect(TEXTS.length).toBeGreaterThan(300);
    expect(shipped).toEqual(whole.readings);

    // The shipped table holds only the bot's languages: a tenth of the n-grams or less.
    const spoken = Object.keys(LANGUAGE_TABLE.languages).filter((i) =>
      (LANGUAGES as readonly string[]).includes(LANGUAGE_TABLE.languages[i] ?? ''),
    );
    const ngrams = Object.values(LANGUAGE_TABLE.ngrams);
    expect(whole.ngrams).toBeGreaterThan(40_000);
    expect(ngrams.length).toBeLessThan(whole.ngrams / 10);
    expect(ngrams.every((scores) => Object.keys(scores).every((i) => spoken.includes(i)))).toBe(true);
  });

  it('ships the installed eld table pruned: fails until `npm run language-table` is run after eld changes', async () => {
    expect(LANGUAGE_TABLE).toEqual(pruned(await installedTable(), LANGUAGES));
  });

  it('tells English from Spanish, and says it cannot tell for short or other texts', () => {
    const detect = createLanguageDetector();
    expect(detect('we run payroll for restaurants')).toBe('en');
    expect(detect('hacemos la nómina para restaurantes')).toBe('es');
    expect(detect('ok')).toBeNull();
    expect(detect('SOC 2')).toBeNull();
  });
});
