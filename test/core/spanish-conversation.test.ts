import { describe, expect, it } from 'vitest';
import { createLanguageDetector } from '../../src/adapters/flow-files/detect-language.js';
import { decideInbound } from '../../src/app/decide-inbound.js';
import type { BotSettings } from '../../src/core/bot-settings.js';
import type { ConversationSummary } from '../../src/core/conversation.js';
import type { Language } from '../../src/core/languages.js';
import { flowIn } from '../../src/core/localize-flow.js';
import { MACHINE_VERSION } from '../../src/core/conversation-machine.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { fillAdvisor } from '../../src/core/render-reply.js';
import { countSegments } from '../../src/core/sms-segments.js';
import { revive } from '../../src/core/step-conversation.js';
import { ADVISOR as advisor } from '../support/copy.js';
import { shippedFlows } from '../support/flows.js';

const { flow, lexicon, translations } = shippedFlows();
const detectLanguage = createLanguageDetector();
const spanish = flowIn({ flow, translations, advisorLanguages: ['en', 'es'] }, 'es');
/** The handoffs as worded when PJ answers in English only. */
const englishOnly = translations.es?.advisorLanguage;
const words = (text: string): string => fillAdvisor(text, advisor);

interface Turn {
  reply: string | null;
  summary: ConversationSummary;
  language: Language;
}

/** A conversation through the real decision path (detector, lexicon, machine, renderer), as SMS. */
class Chat {
  private saved: SavedConversation | null = null;
  private count = 0;
  private readonly settings: BotSettings;

  constructor(advisorLanguages: readonly Language[] = ['en']) {
    this.settings = {
      flow,
      lexicon,
      translations,
      detectLanguage,
      advisorLanguages,
      advisor,
      botAnswersKeywords: true,
      handoff: { notifySms: null, desk: true, idleMs: 4 * 3_600_000, remindMs: 30 * 60_000 },
    };
  }

  send(text: string): Turn {
    this.count += 1;
    const decision = decideInbound(
      this.settings,
      {
        channel: 'sms',
        participant: '+16195550101',
        conversationKey: '+16195550101',
        provider: 'test',
        externalId: `m${this.count}`,
        text,
        receivedAt: 1_800_000_000_000 + this.count * 60_000,
      },
      this.saved,
    );
    this.saved = { id: 1, machineVersion: decision.machineVersion, snapshot: decision.snapshot };
    const reply = decision.replies[0] ?? null;
    if (reply !== null) expect(countSegments(reply).encoding, reply).toBe('GSM-7');
    return { reply, summary: decision.summary, language: decision.language };
  }

  script(...texts: string[]): Turn {
    return texts.map((text) => this.send(text)).at(-1) as Turn;
  }
}

const askProduct = (greet: boolean) => `${greet ? `${words(spanish.greeting)} ` : ''}${spanish.askProduct.question}`;

describe('a client who writes in Spanish', () => {
  it('is greeted and asked in Spanish, and told SOC 1 in Spanish for payroll asked by the accountant', () => {
    const chat = new Chat();
    const first = chat.send('hola, necesito saber qué reporte SOC necesito');
    expect(first.language).toBe('es');
    expect(first.reply?.startsWith(askProduct(true))).toBe(true);
    expect(chat.send('hacemos nómina').reply?.startsWith(spanish.askAsker.question)).toBe(true);
    const verdict = chat.send('el contador');
    expect(verdict.summary).toMatchObject({ verdict: 'soc1', flags: [], status: 'bot' });
    expect(verdict.reply?.startsWith(spanish.verdict.headline.soc1)).toBe(true);
    expect(verdict.reply).toContain('"el contador"');
    expect(verdict.reply).toContain(words(englishOnly?.handoff ?? ''));
  });

  it('folds accents: "nómina" and "nomina", "contraloría" and "contraloria" are one word', () => {
    for (const [product, asker] of [
      ['hacemos nómina', 'la contraloría'],
      ['hacemos nomina', 'la contraloria'],
    ]) {
      expect(new Chat().script('hola', product ?? '', asker ?? '').summary.verdict).toBe('soc1');
    }
  });

  it.each([
    [
      'SOC 2 for a cloud platform asked by security',
      ['hola', 'somos una plataforma en la nube para restaurantes', 'el equipo de seguridad de un cliente'],
      'soc2',
    ],
    ['SOC 2 for software asked by IT', ['buenas tardes', 'vendemos software de recursos humanos', 'TI'], 'soc2'],
    [
      'SOC 2 for a questionnaire from procurement',
      ['hola', 'hacemos una app de citas medicas', 'el area de compras nos mando un cuestionario'],
      'soc2',
    ],
    [
      'SOC 1 for billing asked by the CFO',
      ['Hola', 'facturacion para hospitales', 'el director financiero de un cliente'],
      'soc1',
    ],
    [
      'SOC 1 for collections asked by the auditors',
      ['buenos dias', 'hacemos cobranza para bancos', 'sus auditores externos'],
      'soc1',
    ],
    [
      'both for payments and card data',
      ['hola', 'procesamos pagos y guardamos datos de tarjetas', 'un cliente nos lo pidio'],
      'both',
    ],
    [
      'both for payroll asked by finance and security',
      ['hola', 'software de nomina', 'finanzas y también seguridad'],
      'both',
    ],
    ['SOC 1 by the numbered choices', ['hola', '2', '2'], 'soc1'],
  ])('gets %s, worded in Spanish', (_name, texts, verdict) => {
    const turn = new Chat().script(...texts);
    expect(turn.language).toBe('es');
    expect(turn.summary.verdict).toBe(verdict);
    const headline = spanish.verdict.headline[verdict as 'soc1' | 'soc2' | 'both'];
    expect(turn.reply?.startsWith(headline), turn.reply ?? '').toBe(true);
  });

  it('quotes a numbered choice in Spanish, not the English label', () => {
    const turn = new Chat().script('hola', '1', '1');
    expect(turn.summary.verdict).toBe('soc2');
    expect(turn.reply).toContain('"su equipo de seguridad"');
  });

  it('is told what to request from a vendor, in Spanish', () => {
    const turn = new Chat().script('hola', '¿qué reporte debo pedir a nuestro proveedor de nomina?');
    expect(turn.summary).toMatchObject({ side: 'buyer', verdict: 'soc1' });
    expect(turn.reply?.startsWith(spanish.verdict.buyerHeadline.soc1)).toBe(true);
  });

  it("is flagged, in Spanish, when finance asks about something that feeds nobody's books", () => {
    const turn = new Chat().script('hola', 'hacemos un CRM para dentistas', 'el contralor');
    expect(turn.summary).toMatchObject({ status: 'waiting', flags: ['conflict'], verdict: null });
    expect(turn.reply).toContain('es raro');
  });

  it('gets common questions answered in Spanish, then the pending question in short', () => {
    const chat = new Chat();
    chat.script('hola', 'hacemos nomina');
    const turn = chat.send('¿cuánto tiempo toma?');
    expect(turn.reply).toBe(`${words(spanish.answers.timeline ?? '')} ${spanish.pending.asker}`);
    expect(chat.send('¿cuál es la diferencia entre soc 1 y soc 2?').reply).toContain(
      words(spanish.answers.difference ?? ''),
    );
    expect(chat.send('¿qué es un tipo 1?').reply).toContain(words(spanish.answers.types ?? ''));
    expect(chat.send('el contador').summary.verdict).toBe('soc1');
  });

  it('asks a person or the price in Spanish, saying PJ answers in English unless he speaks Spanish', () => {
    const english = new Chat(['en']).script('hola', '¿cuánto cuesta?');
    expect(english.summary.flags).toEqual(['cost']);
    expect(english.reply).toBe(words(englishOnly?.handoffCost ?? ''));
    const bilingual = new Chat(['en', 'es']).script('hola', 'quiero hablar con una persona');
    expect(bilingual.summary.flags).toEqual(['human']);
    expect(bilingual.reply).toBe(words(spanish.handoffHuman));
  });

  it('opts out in Spanish, confirmed in Spanish', () => {
    for (const text of ['BAJA', 'no me escriban mas', 'Por favor dejen de escribirme']) {
      const turn = new Chat().script('hola', text);
      expect(turn.summary.status, text).toBe('opted_out');
      expect(turn.reply).toBe(words(spanish.optOutConfirm));
    }
  });

  it('is asked again concretely, in Spanish, when an answer says nothing', () => {
    const turn = new Chat().script('hola', 'mmm');
    expect(turn.reply?.startsWith(spanish.reaskProduct.question)).toBe(true);
  });

  it('takes an unknown Spanish description as the answer rather than keyboard mashing', () => {
    const turn = new Chat().script('hola', 'vendemos zapatos hechos a mano por internet');
    expect(turn.reply?.startsWith(spanish.askAsker.question)).toBe(true);
  });
});

describe('switching language', () => {
  it('switches to English on "english please" and back on "en español", each time asking the pending question again', () => {
    const chat = new Chat();
    chat.send('hola');
    const english = chat.send('english please');
    expect(english.language).toBe('en');
    expect(english.reply?.startsWith(flow.askProduct.question)).toBe(true);
    expect(chat.send('we run payroll for dental clinics').reply?.startsWith(flow.askAsker.question)).toBe(true);
    const back = chat.send('en español por favor');
    expect(back.language).toBe('es');
    expect(back.reply?.startsWith(spanish.askAsker.question)).toBe(true);
    const verdict = chat.send('el contralor');
    expect(verdict.summary.verdict).toBe('soc1');
    expect(verdict.reply?.startsWith(spanish.verdict.headline.soc1)).toBe(true);
  });

  it('says the verdict again in the new language after it was given', () => {
    const chat = new Chat();
    chat.script('hi', 'we make a CRM for dentists', 'their infosec team');
    const turn = chat.send('¿en español?');
    expect(turn.summary).toMatchObject({ verdict: 'soc2', flags: [], status: 'bot' });
    expect(turn.reply?.startsWith(spanish.verdict.headline.soc2)).toBe(true);
  });

  it('keeps answers that come with the switch', () => {
    const turn = new Chat().script('hi', 'hacemos facturacion, en español por favor');
    expect(turn.language).toBe('es');
    expect(turn.reply?.startsWith(spanish.askAsker.question)).toBe(true);
  });

  it('keeps a settled language through short answers in the other one', () => {
    const chat = new Chat();
    chat.script('hola, somos una empresa de nomina');
    expect(chat.send('the CFO').language).toBe('es');
  });

  it('follows an English text after a Spanish greeting: the first text long enough to tell settles it', () => {
    const chat = new Chat();
    expect(chat.send('hola').language).toBe('es');
    const turn = chat.send('we run payroll for dental clinics');
    expect(turn.language).toBe('en');
    expect(turn.reply?.startsWith(flow.askAsker.question)).toBe(true);
  });

  it('keeps an English conversation English', () => {
    const turn = new Chat().script('hi', 'we run payroll for dental clinics', 'their controller');
    expect(turn.language).toBe('en');
    expect(turn.reply?.startsWith(flow.verdict.headline.soc1)).toBe(true);
  });
});

describe('a conversation saved before languages', () => {
  it('revives in English, its answers kept', () => {
    const chat = new Chat();
    chat.script('hi', 'we run payroll for dental clinics');
    const saved = (chat as unknown as { saved: SavedConversation }).saved;
    const snapshot = structuredClone(saved.snapshot) as { context: Record<string, unknown> };
    delete snapshot.context.language;
    delete snapshot.context.languageSettled;
    const revived = revive({ id: 1, machineVersion: MACHINE_VERSION, snapshot });
    expect(revived.context).toMatchObject({ language: 'en', languageSettled: false, awaiting: 'asker' });
  });
});
