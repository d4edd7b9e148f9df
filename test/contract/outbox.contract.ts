import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxDraft, OutboxItem, Store } from '../../src/core/ports.js';
import { fakeDecide, inbound, T0, toClient } from './fake-decide.js';

// The outbox and desk threads. `database` gives a fresh shared database from which several
// stores can be opened, standing in for several processes.

export interface SharedDatabase {
  open(): Promise<Store> | Store;
}

const LEASE = 30_000;
const toPj = (text: string): OutboxDraft => ({
  destination: { kind: 'advisorSms', to: '+15559990000' },
  payload: { type: 'notice', notice: { kind: 'clientMessage', text } },
});
const texts = (items: OutboxItem[]) =>
  items.map((item) => (item.payload.type === 'text' ? item.payload.text : item.payload.type));

export function describeOutboxContract(name: string, database: () => SharedDatabase): void {
  describe(`OutboxStore and DeskThreadStore contract: ${name}`, () => {
    let shared: SharedDatabase;
    let store: Store;
    const opened: Store[] = [];

    beforeEach(async () => {
      shared = database();
      store = await shared.open();
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });

    let sender = 0;
    /** A new conversation (its own client) with `drafts` queued at `at`. */
    async function conversation(drafts: OutboxDraft[] = [], at = T0): Promise<number> {
      sender += 1;
      const participant = `+1555000${String(sender).padStart(4, '0')}`;
      const message = inbound(`c${sender}`, { participant, receivedAt: at });
      const { conversationId } = await store.receive(message, fakeDecide({ replies: [] }).decide);
      await store.enqueueOutbox(conversationId, drafts, at);
      return conversationId;
    }

    it('claims due items oldest first up to the limit, leased and counted', async () => {
      const a = await conversation([toClient('a1')]);
      const b = await conversation([toClient('b1'), toPj('b2')]);
      await conversation([toClient('later')], T0 + 500);
      const first = await store.claimOutbox(T0, LEASE, 2);
      expect(first).toEqual([
        {
          ...toClient('a1'),
          id: expect.any(Number),
          conversationId: a,
          status: 'sending',
          attempts: 1,
          providerId: null,
          deliveryStatus: null,
          error: null,
          createdAt: T0,
        },
        expect.objectContaining({ ...toClient('b1'), conversationId: b }),
      ]);
      expect(first[0]?.id).toBeLessThan(first[1]?.id ?? 0);
      expect(texts(await store.claimOutbox(T0, LEASE, 10))).toEqual(['notice']);
      expect(await store.claimOutbox(T0 + 499, LEASE, 10)).toEqual([]);
      expect(texts(await store.claimOutbox(T0 + 500, LEASE, 10))).toEqual(['later']);
      expect(await store.claimOutbox(T0 + 500, LEASE, 0)).toEqual([]);
    });

    it('keeps each recipient in order while other recipients go ahead', async () => {
      const id = await conversation([toClient('one'), toClient('two'), toPj('pj'), toClient('three')]);
      const other = await conversation([toClient('elsewhere')]);
      const first = await store.claimOutbox(T0, LEASE, 10);
      expect(texts(first)).toEqual(['one', 'notice', 'elsewhere']);
      expect(first.map((item) => item.conversationId)).toEqual([id, id, other]);
      // 'one' is being sent: 'two' waits.
      expect(await store.claimOutbox(T0 + 1, LEASE, 10)).toEqual([]);
      // 'one' is pending again, not due yet: 'two' still waits behind it.
      await store.retryOutbox(first[0]?.id ?? 0, T0 + 1000, 'timeout', T0 + 2);
      expect(await store.claimOutbox(T0 + 3, LEASE, 10)).toEqual([]);
      const retried = await store.claimOutbox(T0 + 1000, LEASE, 10);
      expect(retried).toEqual([expect.objectContaining({ id: first[0]?.id, attempts: 2, error: 'timeout' })]);
      await store.markOutboxSent(first[0]?.id ?? 0, 'SM1', T0 + 1001);
      expect(texts(await store.claimOutbox(T0 + 1002, LEASE, 10))).toEqual(['two']);
    });

    it('a failed item is never claimed again and frees the next one', async () => {
      await conversation([toClient('one'), toClient('two')]);
      const [one] = await store.claimOutbox(T0, LEASE, 10);
      await store.failOutbox(one?.id ?? 0, 'invalid number', T0 + 1);
      expect(texts(await store.claimOutbox(T0 + 2, LEASE, 10))).toEqual(['two']);
      expect(await store.claimOutbox(T0 + LEASE * 10, LEASE, 10)).toEqual([]);
    });

    it('never hands one item to two claimers on the same database', async () => {
      const second = await shared.open();
      opened.push(second);
      for (let i = 0; i < 12; i += 1) await conversation([toClient(`x${i}`), toPj(`y${i}`)]);
      const claimed: OutboxItem[] = [];
      for (let round = 0; round < 6; round += 1) {
        const [fromA, fromB] = await Promise.all([store.claimOutbox(T0, LEASE, 3), second.claimOutbox(T0, LEASE, 3)]);
        claimed.push(...fromA, ...fromB);
      }
      const ids = claimed.map((item) => item.id);
      expect(ids).toHaveLength(24);
      expect(new Set(ids).size).toBe(24);
      expect(claimed.every((item) => item.attempts === 1)).toBe(true);
    });

    it('expires items still sending after their lease as unknown, once', async () => {
      await conversation([toClient('stuck'), toClient('next')]);
      await conversation([toClient('done')]);
      const [stuck, done] = await store.claimOutbox(T0, LEASE, 10);
      await store.markOutboxSent(done?.id ?? 0, 'SM-done', T0 + 10);
      expect(await store.expireOutbox(T0 + LEASE - 1)).toEqual([]);
      expect(await store.expireOutbox(T0 + LEASE)).toEqual([
        {
          ...toClient('stuck'),
          id: stuck?.id,
          conversationId: stuck?.conversationId,
          status: 'unknown',
          attempts: 1,
          providerId: null,
          deliveryStatus: null,
          error: null,
          createdAt: T0,
        },
      ]);
      expect(await store.expireOutbox(T0 + LEASE * 2)).toEqual([]);
      // Never resent blindly, and no longer holding up the recipient's next message.
      expect(texts(await store.claimOutbox(T0 + LEASE, LEASE, 10))).toEqual(['next']);
    });

    it('records delivery statuses by provider id', async () => {
      await conversation([toClient('hello')]);
      const [item] = await store.claimOutbox(T0, LEASE, 10);
      await store.markOutboxSent(item?.id ?? 0, 'SM123', T0 + 1);
      expect(await store.recordDelivery('SM-unknown', 'delivered', null, T0 + 2)).toBeNull();
      expect(await store.recordDelivery('SM123', 'sent', null, T0 + 2)).toEqual({
        ...item,
        status: 'sent',
        providerId: 'SM123',
        deliveryStatus: 'sent',
        error: null,
      });
      expect(await store.recordDelivery('SM123', 'undelivered', '30003', T0 + 3)).toMatchObject({
        status: 'sent',
        deliveryStatus: 'undelivered',
        error: '30003',
      });
      expect(await store.recordDelivery('SM123', 'undelivered', null, T0 + 4)).toMatchObject({ error: '30003' });
    });

    it('tells its backlog: items not sent yet, and when the oldest not held for later was queued', async () => {
      expect(await store.outboxBacklog(T0)).toEqual({ unsent: 0, oldestQueuedAt: null });
      await conversation([{ ...toClient('held'), notBefore: T0 + 60_000 }], T0 - 5000);
      expect(await store.outboxBacklog(T0)).toEqual({ unsent: 1, oldestQueuedAt: null });
      await conversation([toClient('sent'), toPj('failed')], T0 + 100);
      await conversation([toClient('retried')], T0 + 200);
      await conversation([toClient('waiting')], T0 + 300);
      const [sent, failed, retried] = await store.claimOutbox(T0 + 1000, LEASE, 3);
      await store.markOutboxSent(sent?.id ?? 0, 'SM-sent', T0 + 1001);
      await store.failOutbox(failed?.id ?? 0, 'invalid number', T0 + 1001);
      await store.retryOutbox(retried?.id ?? 0, T0 + 9000, 'timeout', T0 + 1001);
      // Left: the held one, the retry (due later, still late) and the one never claimed.
      expect(await store.outboxBacklog(T0 + 2000)).toEqual({ unsent: 3, oldestQueuedAt: T0 + 200 });
      // Once due, the held one is as late as any.
      expect(await store.outboxBacklog(T0 + 60_000)).toEqual({ unsent: 3, oldestQueuedAt: T0 - 5000 });
    });

    it('refuses outbox items for a conversation that does not exist', async () => {
      await expect(store.enqueueOutbox(987654, [toClient('lost')], T0)).rejects.toThrow();
      expect(await store.claimOutbox(T0, LEASE, 10)).toEqual([]);
    });

    it('stores, finds and replaces desk threads', async () => {
      const a = await conversation();
      const b = await conversation();
      expect(await store.getDeskThread(a)).toBeNull();
      expect(await store.findByDeskThread('C1', '1.1')).toBeNull();
      await store.setDeskThread(a, 'C1', '1.1');
      await store.setDeskThread(b, 'C1', '2.2');
      expect(await store.getDeskThread(a)).toEqual({ channel: 'C1', ts: '1.1' });
      expect(await store.findByDeskThread('C1', '1.1')).toBe(a);
      expect(await store.findByDeskThread('C2', '1.1')).toBeNull();
      await store.setDeskThread(a, 'C2', '3.3');
      expect(await store.getDeskThread(a)).toEqual({ channel: 'C2', ts: '3.3' });
      expect(await store.findByDeskThread('C1', '1.1')).toBeNull();
      expect(await store.findByDeskThread('C2', '3.3')).toBe(a);
      expect(await store.findByDeskThread('C1', '2.2')).toBe(b);
    });
  });
}
