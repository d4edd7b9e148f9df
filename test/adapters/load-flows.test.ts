import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLOWS_DIR, FlowFileError, loadFlows } from '../../src/adapters/flow-files/load-flows.js';

function flowsWith(mainYaml: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'flows-'));
  copyFileSync(join(DEFAULT_FLOWS_DIR, 'lexicon.yaml'), join(dir, 'lexicon.yaml'));
  writeFileSync(join(dir, 'main.yaml'), mainYaml(readFileSync(join(DEFAULT_FLOWS_DIR, 'main.yaml'), 'utf8')));
  return dir;
}

describe('loadFlows', () => {
  it('loads the shipped flows', () => {
    const { flow, lexicon } = loadFlows();
    expect(flow.verdict.headline.soc2).toMatch(/SOC 2/);
    expect(lexicon.intents.optOutKeywords).toContain('stop');
  });

  it('names the file and the field of a text that is not GSM-7', () => {
    const dir = flowsWith((t) =>
      t.replace('optInConfirm: "Welcome back."', 'optInConfirm: "Welcome back \u2014 again."'),
    );
    expect(() => loadFlows(dir)).toThrow(FlowFileError);
    expect(() => loadFlows(dir)).toThrow(/main\.yaml[\s\S]*optInConfirm: not GSM-7: U\+2014/);
  });

  it('names a missing field and an unknown placeholder', () => {
    const dir = flowsWith((t) => t.replace(/^help: .*$/m, '').replace('{advisor} handed', '{advizor} handed'));
    expect(() => loadFlows(dir)).toThrow(/help: Invalid input/);
    expect(() => loadFlows(dir)).toThrow(/resumed: unknown placeholder \{advizor\}/);
  });

  it('says when a file is not YAML at all', () => {
    const dir = flowsWith(() => 'greeting: "unterminated');
    expect(() => loadFlows(dir)).toThrow(/main\.yaml: cannot read it as YAML/);
  });
});

describe('loadFlows: the translations', () => {
  function translatedWith(spanish: (text: string) => string): string {
    const dir = flowsWith((t) => t);
    mkdirSync(join(dir, 'es'));
    writeFileSync(
      join(dir, 'es', 'main.yaml'),
      spanish(readFileSync(join(DEFAULT_FLOWS_DIR, 'es', 'main.yaml'), 'utf8')),
    );
    return dir;
  }

  it('loads the shipped Spanish flow', () => {
    const { translations } = loadFlows();
    expect(translations.es?.askProduct.question).toBe('¿Qué hace su producto?');
  });

  it('names es/main.yaml and the field of a text with an accent GSM-7 lacks', () => {
    const dir = translatedWith((t) =>
      t.replace('restart: "OK, empecemos de nuevo."', 'restart: "OK, empecemos otra vez, ¿sí?"'),
    );
    expect(() => loadFlows(dir)).toThrow(/es\/main\.yaml[\s\S]*restart: not GSM-7: U\+00ED/);
  });

  it("takes accents in the web panel's words, which no SMS carries, but refuses a panel word missing", () => {
    const accented = translatedWith((t) => t.replace('send: "Enviar"', 'send: "Envíe"'));
    expect(loadFlows(accented).translations.es?.web.send).toBe('Envíe');
    const missing = translatedWith((t) => t.replace(/^ {2}send: .*$/m, ''));
    expect(() => loadFlows(missing)).toThrow(/es\/main\.yaml[\s\S]*web\.send: Invalid input/);
  });

  it('refuses a translation missing the handoffs for when PJ does not answer in its language', () => {
    const dir = translatedWith((t) => t.replace(/^advisorLanguage:[\s\S]*?\n\n/m, ''));
    expect(() => loadFlows(dir)).toThrow(/es\/main\.yaml[\s\S]*advisorLanguage/);
  });

  it('refuses a translation without an answer for a topic, naming the file', () => {
    const dir = translatedWith((t) => t.replace(/^ {2}gdpr: .*$/m, ''));
    expect(() => loadFlows(dir)).toThrow(/es\/main\.yaml and [\s\S]*answers\.gdpr: missing/);
  });
});
