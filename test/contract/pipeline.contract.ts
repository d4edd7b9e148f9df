import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../src/core/conversation.js';
import type { VerdictBasis, VerdictReview } from '../../src/core/pipeline.js';
import type { Decide, Decision, DecideUpdate, Store } from '../../src/core/ports.js';
import { botSummary, inbound, T0 } from './fake-decide.js';

// PJ's pipeline (issue 13): which conversations a period holds, when each was first flagged and
// first answered by PJ, the verdict's basis and PJ's review. Every store runs this same suite.

const HOUR = 60 * 60_000;
const ALICE = '+15550000001';
const BOB = '+15550000002';
const basis: VerdictBasis = { reason: 'soc2.asker', concepts: ['asker.security:security team'], rulesVersion: 'r1' };

const turn = (saved: { snapshot: unknown } | null): number =>
  saved !== null && typeof saved.snapshot === 'object' && saved.snapshot !== null && 'turns' in saved.snapshot
    ? Number(saved.snapshot.turns) + 1
    : 1;

function decision(
  saved: { snapshot: unknown } | null,
  summary: Partial<ConversationSummary>,
  extra: Partial<Decision> = {},
): Decision {
  return {
    machineVersion: 1,
    snapshot: { turns: turn(saved) },
    summary: { ...botSummary, ...summary },
    replies: [],
    ...extra,
  };
}

export function describePipelineContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`PipelineStore contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await create();
    });
    afterEach(async () => {
      await store.close();
    });

    async function say(
      participant: string,
      at: number,
      summary: Partial<ConversationSummary>,
      extra: Partial<Decision> = {},
      text?: string,
    ) {
      const decide: Decide = (saved) => decision(saved, summary, extra);
      const message = inbound(`${participant}-${at}`, {
        participant,
        receivedAt: at,
        ...(text !== undefined && { text }),
      });
      return (await store.receive(message, decide)).conversationId;
    }
    const act = (id: number, at: number, extra: Partial<Decision>, summary: Partial<ConversationSummary> = {}) => {
      const decide: DecideUpdate<null> = (saved) => ({
        decision: decision(saved, { ...saved.record, ...summary }, extra),
        result: null,
      });
      return store.update(id, decide, at);
    };
    const period = (from: number, before: number) => store.listPipeline({ createdFrom: from, createdBefore: before });

    it('lists the conversations created in the period, oldest first, on the channel asked for', async () => {
      const early = await say(ALICE, T0 - 1, {});
      const first = await say(BOB, T0, {});
      const slackMessage = inbound('slack-1', {
        channel: 'slack',
        participant: 'T1:U1',
        conversationKey: 'T1:U1',
        provider: 'slack',
        receivedAt: T0 + HOUR,
      });
      const slack = (await store.receive(slackMessage, (saved) => decision(saved, {}))).conversationId;
      const last = await say('+15550000003', T0 + 2 * HOUR - 1, {});
      await say('+15550000004', T0 + 2 * HOUR, {});
      // A later message changes the conversation, not when it was created.
      await say(BOB, T0 + 5 * HOUR, { awaiting: 'asker' });

      expect((await period(T0, T0 + 2 * HOUR)).map((row) => row.id)).toEqual([first, slack, last]);
      expect((await period(T0 - 1, T0)).map((row) => row.id)).toEqual([early]);
      expect(
        (await store.listPipeline({ createdFrom: T0, createdBefore: T0 + 2 * HOUR, channel: 'slack' })).map(
          (r) => r.id,
        ),
      ).toEqual([slack]);
      const [bob] = await period(T0, T0 + 1);
      expect(bob).toMatchObject({
        participant: BOB,
        awaiting: 'asker',
        createdAt: T0,
        updatedAt: T0 + 5 * HOUR,
        flaggedAt: null,
        advisorRepliedAt: null,
      });
    });

    it('lists by creation time with the conversation list too', async () => {
      await say(ALICE, T0 - 1, {});
      const inside = await say(BOB, T0, {});
      await say('+15550000003', T0 + HOUR, {});
      expect((await store.list({ createdFrom: T0, createdBefore: T0 + HOUR })).map((c) => c.id)).toEqual([inside]);
      expect((await store.list({ createdFrom: T0 })).length).toBe(2);
      expect((await store.list({ createdBefore: T0 })).length).toBe(1);
    });

    it('times the first flag and PJ first reply, and keeps both', async () => {
      const id = await say(ALICE, T0, {});
      await say(ALICE, T0 + HOUR, { status: 'waiting', flags: ['cost'] });
      await say(ALICE, T0 + 2 * HOUR, { status: 'waiting', flags: ['cost', 'human'] });
      // A note is not a reply; PJ's words to the client are.
      await act(id, T0 + 3 * HOUR, { notes: [{ direction: 'event', author: 'advisor', text: 'note: call him' }] });
      await act(
        id,
        T0 + 4 * HOUR,
        { notes: [{ direction: 'out', author: 'advisor', text: 'Hi, PJ here' }] },
        { status: 'human' },
      );
      await act(id, T0 + 5 * HOUR, { notes: [{ direction: 'out', author: 'advisor', text: 'again' }] });

      const [row] = await period(T0, T0 + 1);
      expect(row).toMatchObject({
        flaggedAt: T0 + HOUR,
        advisorRepliedAt: T0 + 4 * HOUR,
        flags: ['cost', 'human'],
        status: 'human',
      });
      const flaggedAtOnce = await say(BOB, T0, { status: 'waiting', flags: ['human'] });
      expect((await period(T0, T0 + 1)).find((r) => r.id === flaggedAtOnce)?.flaggedAt).toBe(T0);
    });

    it("keeps the verdict's basis a decision gives until another decision changes it", async () => {
      const id = await say(ALICE, T0, { verdict: 'soc2' }, { verdictBasis: basis });
      await say(ALICE, T0 + 1, { verdict: 'soc2' });
      expect((await period(T0, T0 + 1))[0]?.basis).toEqual(basis);
      await act(id, T0 + 2, { verdictBasis: null }, { verdict: null });
      expect((await period(T0, T0 + 1))[0]?.basis).toBeNull();
    });

    it("keeps PJ's review, the latest one, and lists reviewed conversations with the client's texts", async () => {
      const id = await say(ALICE, T0, {}, { replies: ['what does your product do?'] }, 'hi');
      await say(
        ALICE,
        T0 + 1,
        { verdict: 'soc2' },
        { replies: ['SOC 2'], verdictBasis: basis },
        'payroll for dentists',
      );
      await act(id, T0 + 2, { notes: [{ direction: 'out', author: 'advisor', text: 'PJ here' }] });
      await say(BOB, T0, {});
      const draft = { verdict: 'soc1', note: 'payroll feeds their books', at: T0 + 3 } as const;
      const review: VerdictReview = { ...draft, botLabel: 'soc2', rulesVersion: 'r1' };

      expect(await store.listReviewed()).toEqual([]);
      expect(await store.reviewVerdict(id, { ...draft, verdict: 'both' })).toEqual({ ...review, verdict: 'both' });
      expect(await store.reviewVerdict(id, draft)).toEqual(review);
      expect(await store.reviewVerdict(9999, draft)).toBeNull();

      const reviewed = await store.listReviewed();
      expect(reviewed).toHaveLength(1);
      expect(reviewed[0]).toMatchObject({ id, review, verdict: 'soc2', texts: ['hi', 'payroll for dentists'] });
      expect((await period(T0, T0 + 1)).find((r) => r.id === id)?.review).toEqual(review);
      const bob = (await period(T0, T0 + 1)).find((r) => r.id !== id)?.id ?? 0;
      expect(await store.reviewsOf([id, bob, 9999])).toEqual(
        new Map([
          [id, { review, rulesVersion: 'r1' }],
          [bob, { review: null, rulesVersion: null }],
        ]),
      );
      expect(await store.reviewsOf([])).toEqual(new Map());
    });

    it("takes each day's digest once and queues it about no conversation", async () => {
      const draft = {
        destination: { kind: 'digest' as const, via: 'sms' as const, to: '+15559990000' },
        payload: { type: 'text' as const, text: 'digest', author: 'bot' as const },
      };
      expect(await store.enqueueDigest('2026-01-05', [draft], T0)).toBe(true);
      expect(
        await store.enqueueDigest('2026-01-05', [{ ...draft, payload: { ...draft.payload, text: 'again' } }], T0 + 1),
      ).toBe(false);
      expect(
        await store.enqueueDigest(
          '2026-01-06',
          [{ ...draft, payload: { ...draft.payload, text: 'next day' } }],
          T0 + 2,
        ),
      ).toBe(true);
      const claimed = await store.claimOutbox(T0 + 10, 60_000, 10);
      expect(
        claimed.map((item) => [
          item.conversationId,
          item.destination,
          item.payload.type === 'text' ? item.payload.text : null,
        ]),
      ).toEqual([
        [0, draft.destination, 'digest'],
        [0, draft.destination, 'next day'],
      ]);
      for (const item of claimed) await store.markOutboxSent(item.id, `SM${item.id}`, T0 + 20);
      expect(await store.claimOutbox(T0 + 30, 60_000, 10)).toEqual([]);
    });

    it('forgets the review with an erased conversation', async () => {
      const id = await say(ALICE, T0, { verdict: 'soc2' });
      expect(await store.reviewVerdict(id, { verdict: 'soc2', note: '', at: T0 })).toMatchObject({
        botLabel: 'soc2',
        rulesVersion: null,
      });
      await store.eraseConversation(id);
      expect(await store.listReviewed()).toEqual([]);
    });
  });
}
