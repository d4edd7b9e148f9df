import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { sweepTimers } from '../../src/app/sweep-timers.js';
import { createLanguageDetector } from '../../src/adapters/flow-files/detect-language.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { Store } from '../../src/core/ports.js';
import { flowIn } from '../../src/core/localize-flow.js';
import { renderNotice } from '../../src/core/render-notice.js';
import { fillAdvisor } from '../../src/core/render-reply.js';
import { drainOutbox } from '../support/drain-outbox.js';
import { botSettings } from '../support/settings.js';

const MINUTE = 60_000;
const CLIENT = '+16195550123';
const settings = botSettings({ detectLanguage: createLanguageDetector(), handoff: { notifySms: '+18585550199' } });
const { flow } = settings;
const spanish = flowIn(settings, 'es');
const words = (text: string): string => fillAdvisor(text, settings.advisor);

describe('a Spanish conversation with PJ', () => {
  let store: Store;
  let t: number;
  let seq = 0;
  const send = (text: string) =>
    createInboundHandler(
      store,
      settings,
    )({
      channel: 'sms',
      participant: CLIENT,
      conversationKey: CLIENT,
      provider: 'twilio',
      externalId: `SM${++seq}`,
      text,
      receivedAt: t,
    });

  beforeEach(() => {
    store = createSqliteConversationStore(join(mkdtempSync(join(tmpdir(), 'spanish-handoff-')), 'bot.db'));
    t = Date.UTC(2026, 10, 30, 18);
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
  });

  it('keeps the language on the record, tells PJ in English that the client writes Spanish, and words the holding text and the hand back in Spanish', async () => {
    await send('hola, buenas tardes');
    const flagged = await send('quiero hablar con una persona');
    const record = await store.get(flagged.conversationId);
    expect(record).toMatchObject({ status: 'waiting', flags: ['human'], language: 'es' });
    const notices = (await drainOutbox(store, t)).filter((item) => item.destination.kind === 'advisorSms');
    expect(notices.map((item) => (item.payload.type === 'notice' ? item.payload.notice.kind : ''))).toEqual([
      'flagged',
    ]);
    const [notice] = notices;
    if (notice?.payload.type !== 'notice' || record === null) throw new Error('no flag notice');
    // PJ's words stay English; they name the client's language.
    expect(renderNotice(notice.payload.notice, record, flow, settings.advisor)).toContain(
      `on SMS, in ${flow.advisor.labels.languages.es}`,
    );

    t += 31 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(1);
    const holding = (await drainOutbox(store, t)).filter((item) => item.destination.kind === 'client');
    expect(holding.map((item) => (item.payload.type === 'text' ? item.payload.text : ''))).toEqual([
      words(spanish.holding),
    ]);

    const actions = createAdvisorActions(store, settings, () => t);
    await actions.takeOver(flagged.conversationId, 'console');
    t += MINUTE;
    await actions.release(flagged.conversationId, 'console');
    const resumed = (await drainOutbox(store, t)).filter((item) => item.destination.kind === 'client');
    const texts = resumed.map((item) => (item.payload.type === 'text' ? item.payload.text : ''));
    expect(texts).toHaveLength(1);
    expect(texts[0]?.startsWith(words(spanish.resumed))).toBe(true);
    expect(texts[0]).toContain(spanish.askProduct.question);
  });
});
