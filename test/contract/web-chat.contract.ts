import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebStore } from '../../src/core/ports.js';
import type { WebEventDraft, WebLine } from '../../src/core/web-chat.js';
import { fakeDecide, inbound, T0 } from './fake-decide.js';

// The web chat's histories and session secret (WebChatStore) and the cap on PJ's phone notices
// (PhoneNoticeQuota). `database` gives a fresh shared database from which several stores can be
// opened, standing in for several instances. Every store implementation runs this same suite.

export interface SharedDatabase {
  open(): Promise<WebStore> | WebStore;
}

const HOUR = 60 * 60_000;
const line = (text: string, extra: Partial<WebLine> = {}): WebLine => ({ text, ...extra });
const bot = (text: string, messageId: string | null = null, extra: Partial<WebLine> = {}): WebEventDraft => ({
  from: 'bot',
  line: line(text, extra),
  messageId,
});
const visitor = (text: string, messageId: string): WebEventDraft => ({ from: 'visitor', line: line(text), messageId });

export function describeWebChatContract(name: string, database: () => SharedDatabase): void {
  describe(`WebChatStore and PhoneNoticeQuota contract: ${name}`, () => {
    let shared: SharedDatabase;
    let store: WebStore;
    const opened: WebStore[] = [];

    beforeEach(async () => {
      shared = database();
      store = await shared.open();
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });

    let sessions = 0;
    /** A web conversation for a new session; returns both. */
    async function conversation(): Promise<{ session: string; id: number }> {
      sessions += 1;
      const session = `session-${sessions}`;
      const message = inbound(`${session}:first`, {
        channel: 'web',
        participant: session,
        conversationKey: session,
        provider: 'web',
      });
      const { conversationId } = await store.receive(message, fakeDecide({ replies: [] }).decide);
      return { session, id: conversationId };
    }

    it("appends lines in order and lists a session's own after an id, with everything stored", async () => {
      const a = await conversation();
      const b = await conversation();
      const card = {
        headline: 'You need SOC 2.',
        reason: 'why',
        advice: ['Type 1, then Type 2.'],
        handoff: 'Text PJ.',
        links: [{ label: 'Text PJ', href: 'sms:+18584618054' }],
      };
      const stored = await store.appendWebEvents(
        a.session,
        a.id,
        [
          visitor('we do payroll', 'm1'),
          bot('Who is asking?', 'm1', { choices: [{ label: 'CFO', value: 'asker:2' }] }),
          bot('verdict', 'm1', { card }),
        ],
        T0,
      );
      await store.appendWebEvents(b.session, b.id, [visitor('other session', 'm1')], T0 + 1);
      const later = await store.appendWebEvents(
        a.session,
        a.id,
        [{ from: 'advisor', line: line('PJ here'), messageId: null }],
        T0 + 2,
      );

      expect(stored).toEqual([
        {
          id: expect.any(Number),
          conversationId: a.id,
          at: T0,
          from: 'visitor',
          line: { text: 'we do payroll' },
          messageId: 'm1',
          seenAt: null,
        },
        expect.objectContaining({
          from: 'bot',
          line: { text: 'Who is asking?', choices: [{ label: 'CFO', value: 'asker:2' }] },
        }),
        expect.objectContaining({ from: 'bot', line: { text: 'verdict', card } }),
      ]);
      const ids = [...stored, ...later].map((e) => e.id);
      expect(ids).toEqual([...ids].sort((x, y) => x - y));
      expect(await store.listWebEvents(a.session, 0, 100)).toEqual([...stored, ...later]);
      expect((await store.listWebEvents(a.session, stored[1]?.id ?? 0, 100)).map((e) => e.line.text)).toEqual([
        'verdict',
        'PJ here',
      ]);
      expect((await store.listWebEvents(a.session, 0, 2)).map((e) => e.line.text)).toEqual([
        'we do payroll',
        'Who is asking?',
      ]);
      expect((await store.listWebEvents(b.session, 0, 100)).map((e) => e.line.text)).toEqual(['other session']);
      expect(await store.listWebEvents('no-such-session', 0, 100)).toEqual([]);
    });

    it('finds the lines stored for one message of one session', async () => {
      const a = await conversation();
      const b = await conversation();
      await store.appendWebEvents(a.session, a.id, [visitor('hi', 'm1'), bot('asked', 'm1')], T0);
      await store.appendWebEvents(
        a.session,
        a.id,
        [visitor('again', 'm2'), bot('answered', 'm2'), bot('later', null)],
        T0,
      );
      await store.appendWebEvents(b.session, b.id, [visitor('theirs', 'm1')], T0);
      expect((await store.webEventsForMessage(a.session, 'm2')).map((e) => e.line.text)).toEqual(['again', 'answered']);
      expect((await store.webEventsForMessage(b.session, 'm1')).map((e) => e.line.text)).toEqual(['theirs']);
      expect(await store.webEventsForMessage(a.session, 'm9')).toEqual([]);
    });

    it("marks lines seen up to an id once, and hands back the newly seen that are not the visitor's", async () => {
      const a = await conversation();
      const b = await conversation();
      const [mine, reply, pj] = await store.appendWebEvents(
        a.session,
        a.id,
        [visitor('hi', 'm1'), bot('hello', 'm1'), { from: 'advisor', line: line('PJ here'), messageId: null }],
        T0,
      );
      const theirs = await store.appendWebEvents(b.session, b.id, [bot('not yours')], T0);
      const seen = await store.markWebSeen(a.session, reply?.id ?? 0, T0 + 10);
      expect(seen.map((e) => [e.line.text, e.seenAt])).toEqual([['hello', T0 + 10]]);
      // Another session's id changes nothing here, and nothing is seen twice.
      expect(await store.markWebSeen(a.session, theirs[0]?.id ?? 0, T0 + 20)).toEqual([
        expect.objectContaining({ id: pj?.id, from: 'advisor' }),
      ]);
      expect(await store.markWebSeen(a.session, pj?.id ?? 0, T0 + 30)).toEqual([]);
      const listed = await store.listWebEvents(a.session, 0, 10);
      expect(listed.map((e) => e.seenAt)).toEqual([T0 + 10, T0 + 10, T0 + 20]);
      expect(mine?.seenAt).toBeNull();
      expect((await store.listWebEvents(b.session, 0, 10))[0]?.seenAt).toBeNull();
    });

    it('keeps the first session secret it is given, for every instance', async () => {
      const other = await shared.open();
      opened.push(other);
      expect(await store.webSessionSecret('first-candidate')).toBe('first-candidate');
      expect(await other.webSessionSecret('second-candidate')).toBe('first-candidate');
      expect(await store.webSessionSecret('third-candidate')).toBe('first-candidate');
    });

    it('gives each conversation one phone notice, at most perHour an hour, and takes one back', async () => {
      const [a, b, c, d] = [await conversation(), await conversation(), await conversation(), await conversation()];
      expect(await store.reservePhoneNotice(a.id, T0, 2)).toBe(true);
      expect(await store.reservePhoneNotice(a.id, T0 + 1, 2)).toBe(false);
      expect(await store.reservePhoneNotice(b.id, T0 + 2, 2)).toBe(true);
      expect(await store.reservePhoneNotice(c.id, T0 + 3, 2)).toBe(false);
      // An hour after the first, one is free again.
      expect(await store.reservePhoneNotice(c.id, T0 + HOUR, 2)).toBe(true);
      expect(await store.reservePhoneNotice(d.id, T0 + HOUR + 1, 2)).toBe(false);
      await store.releasePhoneNotice(c.id);
      expect(await store.reservePhoneNotice(d.id, T0 + HOUR + 2, 2)).toBe(true);
      expect(await store.reservePhoneNotice(a.id, T0 + 10 * HOUR, 2)).toBe(false);
      expect(await store.reservePhoneNotice(c.id, T0 + 10 * HOUR, 0)).toBe(false);
    });

    it('takes one phone notice per conversation even when two instances ask at once', async () => {
      const other = await shared.open();
      opened.push(other);
      const a = await conversation();
      const answers = await Promise.all([store.reservePhoneNotice(a.id, T0, 5), other.reservePhoneNotice(a.id, T0, 5)]);
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it("erases a conversation's lines and phone notice with it, and the sweep removes them with the conversation", async () => {
      const a = await conversation();
      const b = await conversation();
      await store.appendWebEvents(a.session, a.id, [visitor('hi', 'm1'), bot('hello', 'm1')], T0);
      await store.appendWebEvents(b.session, b.id, [visitor('keep me', 'm1')], T0);
      await store.reservePhoneNotice(a.id, T0, 5);
      const erased = await store.eraseConversation(a.id);
      expect(erased?.removed.conversations).toBe(1);
      expect(erased?.removed.messages).toBeGreaterThanOrEqual(2);
      expect(await store.listWebEvents(a.session, 0, 10)).toEqual([]);
      expect((await store.listWebEvents(b.session, 0, 10)).map((e) => e.line.text)).toEqual(['keep me']);

      const closed = await store.receive(
        inbound(`${b.session}:bye`, {
          channel: 'web',
          participant: b.session,
          conversationKey: b.session,
          provider: 'web',
          receivedAt: T0,
        }),
        fakeDecide({ summary: { status: 'closed' } }).decide,
      );
      expect(closed.conversationId).toBe(b.id);
      await store.sweepRetention({ conversationsBefore: T0 + 1, logsBefore: 0 });
      expect(await store.listWebEvents(b.session, 0, 10)).toEqual([]);
    });
  });
}
