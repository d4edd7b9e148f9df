import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationSummary, InboundMessage } from '../../src/core/conversation.js';
import type { OutboxDraft, OutboxItem, Store } from '../../src/core/ports.js';
import type { RemovedCounts } from '../../src/core/retention.js';
import { fakeDecide, inbound, T0, toClient } from './fake-decide.js';
import type { FakeOptions } from './fake-decide.js';

// Retention (issue 9): what the sweep removes and keeps, a client's export and erasure, and the
// opt-outs that outlive both. Every store implementation runs this same suite.

const DAY = 24 * 60 * 60_000;
const LEASE = 60_000;
const ALICE = '+15550000001';
const BOB = '+15550000002';
const CAROL = '+15550000003';

const deskNotice = (text: string): OutboxDraft => ({
  destination: { kind: 'desk' },
  payload: { type: 'notice', notice: { kind: 'clientMessage', text } },
});
const toPhone: OutboxDraft = {
  destination: { kind: 'advisorSms', to: '+15559990000' },
  payload: { type: 'notice', notice: { kind: 'flagged', reasons: ['cost'] } },
};

const nothing: RemovedCounts = {
  conversations: 0,
  messages: 0,
  processedInbound: 0,
  advisorMessages: 0,
  outbox: 0,
  deskThreads: 0,
};

export function describeRetentionContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`Retention contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await create();
    });
    afterEach(async () => {
      await store.close();
    });

    /** One message from `participant` at `at`, decided with `options`; returns the conversation id. */
    async function say(
      participant: string,
      id: string,
      at: number,
      options: FakeOptions = {},
      extra: Partial<InboundMessage> = {},
    ) {
      const message = inbound(id, { participant, receivedAt: at, ...extra });
      return (await store.receive(message, fakeDecide(options).decide)).conversationId;
    }
    const status = (s: ConversationSummary['status']): FakeOptions => ({ summary: { status: s } });

    /** Claims and settles everything queued, each item as `settle` says (a provider id, or 'fail'). */
    async function deliver(now: number, settle: (item: OutboxItem) => string | 'fail' | 'leave') {
      for (
        let claimed = await store.claimOutbox(now, LEASE, 100);
        claimed.length > 0;
        claimed = await store.claimOutbox(now, LEASE, 100)
      ) {
        for (const item of claimed) {
          const outcome = settle(item);
          if (outcome === 'fail') await store.failOutbox(item.id, 'refused', now);
          else if (outcome !== 'leave') await store.markOutboxSent(item.id, outcome, now);
        }
      }
    }

    describe('the sweep', () => {
      it('removes closed and opted-out conversations last changed before the cutoff, with everything about them', async () => {
        const closed = await say(ALICE, 'a1', T0, {
          ...status('closed'),
          notes: [{ direction: 'event', author: 'advisor', text: 'closed by PJ' }],
          outbox: [toClient('bye')],
        });
        await store.setDeskThread(closed, 'C9', '1700000000.000100');
        const optedOut = await say(BOB, 'b1', T0, status('opted_out'));
        await say(BOB, 'b2', T0 + 1, status('opted_out'));
        const open = await say(CAROL, 'c1', T0);
        const recent = await say(ALICE, 'a2', T0 + 10 * DAY, status('closed'));

        const removed = await store.sweepRetention({ conversationsBefore: T0 + DAY, logsBefore: 0 });

        // closed: in, reply, note; opted out: two of each.
        expect(removed).toEqual({
          conversations: 2,
          messages: 7,
          processedInbound: 3,
          advisorMessages: 0,
          outbox: 1,
          deskThreads: 1,
        });
        expect(await store.get(closed)).toBeNull();
        expect(await store.get(optedOut)).toBeNull();
        expect(await store.exportConversation(closed)).toBeNull();
        expect(await store.getDeskThread(closed)).toBeNull();
        expect(await store.findByDeskThread('C9', '1700000000.000100')).toBeNull();
        expect(await store.claimOutbox(T0 + 20 * DAY, LEASE, 100)).toEqual([]);
        expect((await store.list({})).map((c) => c.id).sort((x, y) => x - y)).toEqual([open, recent]);
        // A conversation that was still open is kept however old, with its transcript.
        expect((await store.get(open))?.transcript).toHaveLength(2);
        // The opt-out outlives the conversation; nothing else about the sender is left.
        expect(await store.isOptedOut('sms', BOB)).toBe(true);
        expect(await store.list({ participant: BOB })).toEqual([]);
      });

      it('removes a conversation exactly when its last change is before the cutoff', async () => {
        const id = await say(ALICE, 'a1', T0, status('closed'));
        expect((await store.sweepRetention({ conversationsBefore: T0, logsBefore: 0 })).conversations).toBe(0);
        expect(await store.get(id)).not.toBeNull();
        expect((await store.sweepRetention({ conversationsBefore: T0 + 1, logsBefore: 0 })).conversations).toBe(1);
        expect(await store.sweepRetention({ conversationsBefore: T0 + 1, logsBefore: 0 })).toEqual(nothing);
      });

      it('dates a conversation by its last change, an update by PJ or a timer included', async () => {
        const id = await say(ALICE, 'a1', T0, status('closed'));
        await store.update(
          id,
          (saved) => ({ decision: fakeDecide(status('closed')).decide(saved), result: null }),
          T0 + 5 * DAY,
        );
        expect((await store.sweepRetention({ conversationsBefore: T0 + DAY, logsBefore: 0 })).conversations).toBe(0);
        expect((await store.sweepRetention({ conversationsBefore: T0 + 6 * DAY, logsBefore: 0 })).conversations).toBe(
          1,
        );
      });

      it("removes processed ids, PJ's command log and sent or failed outbox rows older than the log cutoff, and nothing else", async () => {
        const id = await say(ALICE, 'old', T0);
        await say(ALICE, 'new', T0 + 2 * DAY);
        await store.enqueueOutbox(id, [toClient('sent'), deskNotice('failed'), toPhone], T0);
        await deliver(T0, (item) =>
          item.destination.kind === 'client' ? 'SM1' : item.destination.kind === 'desk' ? 'fail' : 'leave',
        );
        // The phone notice was left mid-send: it becomes unknown, which is kept for PJ to see.
        await store.expireOutbox(T0 + LEASE);
        await store.enqueueOutbox(id, [deskNotice('sent later')], T0);
        await deliver(T0 + 2 * DAY, () => '1700000000.000200');
        await store.enqueueOutbox(id, [toClient('pending')], T0 + 10 * DAY);
        await store.onceForAdvisor('twilio', 'SMold', T0, async () => 'old answer');
        await store.onceForAdvisor('twilio', 'SMnew', T0 + 2 * DAY, async () => 'new answer');

        const removed = await store.sweepRetention({ conversationsBefore: 0, logsBefore: T0 + DAY });

        expect(removed).toEqual({ ...nothing, processedInbound: 1, advisorMessages: 1, outbox: 2 });
        const left = (await store.exportConversation(id))?.outbox.map((item) => [
          item.status,
          item.payload.type === 'text' ? item.payload.text : item.destination.kind,
        ]);
        expect(left).toEqual([
          ['unknown', 'advisorSms'],
          ['sent', 'desk'],
          ['pending', 'pending'],
        ]);
        // The transcript stays with its conversation; only the dedupe record of the old id went.
        expect((await store.get(id))?.transcript).toHaveLength(4);
        expect((await store.receive(inbound('new', { receivedAt: T0 + 3 * DAY }), fakeDecide().decide)).duplicate).toBe(
          true,
        );
        expect(await store.onceForAdvisor('twilio', 'SMnew', T0 + 3 * DAY, async () => 'again')).toEqual({
          answer: 'new answer',
          repeated: true,
        });
        expect(await store.onceForAdvisor('twilio', 'SMold', T0 + 3 * DAY, async () => 'again')).toEqual({
          answer: 'again',
          repeated: false,
        });
      });
    });

    describe('opt-outs', () => {
      it("keeps a sender's opt-out by channel and number when their conversation goes, until they opt back in", async () => {
        const first = await say(ALICE, 'a1', T0, status('opted_out'));
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);
        expect(await store.isOptedOut('slack', ALICE)).toBe(false);
        expect(await store.isOptedOut('sms', BOB)).toBe(false);

        await store.eraseConversation(first);
        await store.sweepRetention({
          conversationsBefore: Number.MAX_SAFE_INTEGER,
          logsBefore: Number.MAX_SAFE_INTEGER,
        });
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);

        // A later text starts a conversation that stays opted out, then START opens it again.
        const next = await say(ALICE, 'a2', T0 + DAY, status('opted_out'));
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);
        await say(ALICE, 'a3', T0 + DAY + 1, status('bot'));
        expect((await store.get(next))?.status).toBe('bot');
        expect(await store.isOptedOut('sms', ALICE)).toBe(false);
      });

      it("tells a receive's decide whether the sender's opt-out is kept, read in its transaction", async () => {
        const first = await say(ALICE, 'k1', T0, status('opted_out'));
        await store.eraseConversation(first);
        const told = async (participant: string, id: string) => {
          let kept: boolean | undefined;
          await store.receive(inbound(id, { participant, receivedAt: T0 + DAY }), (saved, optedOut) => {
            kept = optedOut?.();
            return fakeDecide(status('opted_out')).decide(saved);
          });
          return kept;
        };
        expect(await told(ALICE, 'k2')).toBe(true);
        expect(await told(BOB, 'k3')).toBe(false);
      });

      it('keeps an opt-out saved by an update (a carrier report), in the same transaction', async () => {
        const id = await say(ALICE, 'a1', T0);
        await store.update(
          id,
          (saved) => ({ decision: fakeDecide(status('opted_out')).decide(saved), result: null }),
          T0 + 1,
        );
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);
      });

      it('leaves an opt-out alone when a conversation is closed, and when a decision fails', async () => {
        const old = await say(ALICE, 'a1', T0, status('closed'));
        await say(ALICE, 'a2', T0 + 1, status('opted_out'));
        await store.update(
          old,
          (saved) => ({ decision: fakeDecide(status('closed')).decide(saved), result: null }),
          T0 + 2,
        );
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);

        const failing = () => {
          throw new Error('machine broke');
        };
        await expect(store.receive(inbound('b1', { participant: BOB }), failing)).rejects.toThrow();
        await expect(
          store.receive(inbound('a3', { receivedAt: T0 + 3 }), (saved) => {
            fakeDecide(status('bot')).decide(saved);
            throw new Error('machine broke');
          }),
        ).rejects.toThrow();
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);
      });
    });

    describe('export', () => {
      it("exports a conversation's record, transcript, outbox rows and desk thread", async () => {
        const id = await say(ALICE, 'a1', T0, {
          outbox: [toClient('later'), toPhone],
          notes: [{ direction: 'event', author: 'bot', text: 'flagged' }],
        });
        await say(BOB, 'b1', T0);
        await store.setDeskThread(id, 'C9', '1700000000.000100');
        await deliver(T0, (item) => (item.destination.kind === 'client' ? 'SM1' : 'leave'));

        const exported = await store.exportConversation(id);
        const detail = await store.get(id);
        if (detail === null) throw new Error('missing');
        const { transcript, ...record } = detail;
        expect(exported).toEqual({
          conversation: record,
          transcript,
          outbox: [
            {
              ...toClient('later'),
              id: expect.any(Number),
              conversationId: id,
              status: 'sent',
              attempts: 1,
              providerId: 'SM1',
              deliveryStatus: null,
              error: null,
              createdAt: T0,
            },
            {
              ...toPhone,
              id: expect.any(Number),
              conversationId: id,
              status: 'sending',
              attempts: 1,
              providerId: null,
              deliveryStatus: null,
              error: null,
              createdAt: T0,
            },
          ],
          deskThread: { channel: 'C9', ts: '1700000000.000100' },
        });
        expect(transcript.map((entry) => entry.text)).toEqual(['text a1', 'reply 1', 'flagged']);
        expect((await store.exportConversation(await say(CAROL, 'c1', T0)))?.deskThread).toBeNull();
        expect(await store.exportConversation(987654)).toBeNull();
      });
    });

    describe('erasure', () => {
      it('erases one conversation whole, whatever its status, and hands back the desk messages the bot posted', async () => {
        const id = await say(ALICE, 'a1', T0, { ...status('human'), outbox: [deskNotice('header'), toClient('hi')] });
        await say(ALICE, 'a2', T0 + 1, {
          ...status('human'),
          outbox: [deskNotice('two'), deskNotice('three'), toPhone],
        });
        const other = await say(BOB, 'b1', T0, { outbox: [deskNotice('bob')] });
        await store.setDeskThread(id, 'C9', '1700000000.000100');
        await store.setDeskThread(other, 'C9', '1700000000.000900');
        let ts = 100;
        // The first desk notice opened the thread: Slack's ts for it is the header's.
        await deliver(T0 + 2, (item) => {
          if (item.destination.kind !== 'desk') return item.destination.kind === 'client' ? 'SM1' : 'leave';
          if (item.conversationId === other) return '1700000000.000900';
          ts += 100;
          return ts === 200 ? '1700000000.000100' : `1700000000.000${ts}`;
        });
        const before = await store.exportConversation(other);

        const erased = await store.eraseConversation(id);

        expect(erased).toEqual({
          removed: {
            conversations: 1,
            messages: 4,
            processedInbound: 2,
            advisorMessages: 0,
            outbox: 5,
            deskThreads: 1,
          },
          deskMessages: [
            { channel: 'C9', ts: '1700000000.000100' },
            { channel: 'C9', ts: '1700000000.000300' },
            { channel: 'C9', ts: '1700000000.000400' },
          ],
          optOutKept: false,
        });
        expect(await store.get(id)).toBeNull();
        expect(await store.exportConversation(id)).toBeNull();
        expect(await store.findByDeskThread('C9', '1700000000.000100')).toBeNull();
        expect(await store.claimOutbox(T0 + DAY, LEASE, 100)).toEqual([]);
        expect(await store.exportConversation(other)).toEqual(before);
        expect(await store.eraseConversation(id)).toBeNull();
        expect(await store.eraseConversation(987654)).toBeNull();
        // Its message ids are forgotten too: the same id again starts afresh.
        const again = fakeDecide();
        const result = await store.receive(inbound('a1', { receivedAt: T0 + DAY }), again.decide);
        expect(result.duplicate).toBe(false);
        expect(again.seen).toEqual([null]);
      });

      it('never gives an erased or swept conversation id to a new one: PJ texts "42 ..." by id', async () => {
        await say(ALICE, 'a1', T0, status('closed'));
        const latest = await say(BOB, 'b1', T0, status('closed'));
        await store.eraseConversation(latest);
        await store.sweepRetention({ conversationsBefore: T0 + 1, logsBefore: 0 });
        expect(await store.list({})).toEqual([]);
        expect(await say(CAROL, 'c1', T0 + 2)).toBeGreaterThan(latest);
      });

      it("keeps the sender's opt-out when the erased conversation opted out", async () => {
        const id = await say(ALICE, 'a1', T0, status('opted_out'));
        expect(await store.eraseConversation(id)).toEqual({
          removed: { ...nothing, conversations: 1, messages: 2, processedInbound: 1 },
          deskMessages: [],
          optOutKept: true,
        });
        expect(await store.isOptedOut('sms', ALICE)).toBe(true);
        expect(await store.list({})).toEqual([]);
      });

      it('needs no outbox rows or desk thread to erase', async () => {
        const id = await say('T1:U1', 's1', T0, { replies: [] }, { channel: 'slack', provider: 'slack' });
        expect(await store.eraseConversation(id)).toEqual({
          removed: { ...nothing, conversations: 1, messages: 1, processedInbound: 1 },
          deskMessages: [],
          optOutKept: false,
        });
      });
    });
  });
}
