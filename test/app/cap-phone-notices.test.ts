import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPPED, capPhoneNotices } from '../../src/app/cap-phone-notices.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { Channel, ConversationRecord } from '../../src/core/conversation.js';
import { DeliveryError } from '../../src/core/delivery-error.js';
import type { AdvisorNotice, AdvisorNotifier, WebStore } from '../../src/core/ports.js';
import { fakeDecide, inbound, T0 } from '../contract/fake-decide.js';
import { recordLog } from '../support/logs.js';

const HOUR = 60 * 60_000;
const flagged: AdvisorNotice = { kind: 'flagged', reasons: ['human'] };

describe("PJ's phone notices, capped for the web chat", () => {
  let store: WebStore;
  let clock: number;
  let sent: Array<{ id: number; kind: string }>;
  let failNext: DeliveryError | null;
  const { log, entries } = recordLog();
  const phone: AdvisorNotifier = {
    async notify(notice, conversation) {
      if (failNext) {
        const error = failNext;
        failNext = null;
        throw error;
      }
      sent.push({ id: conversation.id, kind: notice.kind });
      return `SM${sent.length}`;
    },
  };
  let notifier: AdvisorNotifier;
  let sender = 0;

  async function conversation(channel: Channel): Promise<ConversationRecord> {
    sender += 1;
    const participant = channel === 'sms' ? `+1555000${String(sender).padStart(4, '0')}` : `session-${sender}`;
    const message = inbound(`m${sender}`, {
      channel,
      participant,
      conversationKey: participant,
      provider: channel === 'sms' ? 'twilio' : 'web',
    });
    const { conversationId } = await store.receive(message, fakeDecide().decide);
    const record = (await store.list({})).find((c) => c.id === conversationId);
    if (record === undefined) throw new Error('no conversation');
    return record;
  }

  beforeEach(() => {
    store = createSqliteConversationStore(':memory:');
    clock = T0;
    sent = [];
    failNext = null;
    notifier = capPhoneNotices(phone, {
      quota: store,
      perHour: 2,
      now: () => clock,
      log,
    });
  });
  afterEach(async () => {
    await store.close();
  });

  it('sends every notice about an SMS conversation', async () => {
    const sms = await conversation('sms');
    for (let i = 0; i < 4; i += 1) await notifier.notify(flagged, sms);
    expect(sent).toHaveLength(4);
  });

  it('sends one notice per web conversation and at most perHour an hour, counting the rest as handled', async () => {
    const [a, b, c] = [await conversation('web'), await conversation('web'), await conversation('web')];
    expect(await notifier.notify(flagged, a)).toBe('SM1');
    expect(await notifier.notify({ kind: 'clientMessage', text: 'more' }, a)).toBe(CAPPED);
    expect(await notifier.notify(flagged, b)).toBe('SM2');
    expect(await notifier.notify(flagged, c)).toBe(CAPPED);
    clock = T0 + HOUR;
    const d = await conversation('web');
    expect(await notifier.notify(flagged, d)).toBe('SM3');
    expect(sent.map((s) => s.id)).toEqual([a.id, b.id, d.id]);
    expect(entries.map((entry) => entry.msg).join('\n')).toMatch(/WEB_PHONE_NOTICES_PER_HOUR/);
  });

  it('gives the conversation its notice back when the provider did not take it, so the retry goes out', async () => {
    const a = await conversation('web');
    failNext = new DeliveryError('Twilio answered 503', { retryable: true, code: 'http_503' });
    await expect(notifier.notify(flagged, a)).rejects.toThrow(DeliveryError);
    expect(await notifier.notify(flagged, a)).toBe('SM1');
    expect(await notifier.notify(flagged, a)).toBe(CAPPED);
  });
});
