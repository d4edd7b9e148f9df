import { afterEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { sweepTimers } from '../../src/app/sweep-timers.js';
import type { OutboxItem, Store } from '../../src/core/ports.js';
import { botSettings } from '../support/settings.js';
import { fakeDecide, fakeTurns, inbound, T0, toClient } from './fake-decide.js';
import type { SharedDatabase } from './outbox.contract.js';

// Several instances on one database (issue 10): three stores opened on it stand in for three
// processes, and the calls race for real (concurrent pool connections on PostgreSQL, separate
// connections on SQLite). No sticky sessions: any message may land on any instance.

const MINUTE = 60_000;
const LEASE = 60_000;
const settings = botSettings({ handoff: { notifySms: '+18585550199' } });

const inboundTexts = async (store: Store, id: number) =>
  ((await store.get(id))?.transcript ?? []).filter((entry) => entry.direction === 'in').map((entry) => entry.text);

export function describeMultiInstanceContract(name: string, database: () => SharedDatabase): void {
  describe(`several instances on one database: ${name}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    async function instances(count = 3): Promise<Store[]> {
      const shared = database();
      const stores: Store[] = [];
      for (let i = 0; i < count; i += 1) stores.push(await shared.open());
      opened.push(...stores);
      return stores;
    }
    const pick = <T>(list: T[], i: number): T => {
      const item = list[i % list.length];
      if (item === undefined) throw new Error('empty list');
      return item;
    };

    it("decides one sender's messages one at a time whichever instance gets them: no update is lost", async () => {
      const stores = await instances();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          pick(stores, i).receive(inbound(`m${i}`, { receivedAt: T0 + i }), fakeDecide().decide),
        ),
      );
      // Each decision saw the one before it: the turn counts are 1..30, each once.
      expect(results.map((result) => result.replies[0]).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `reply ${i + 1}`).sort(),
      );
      const ids = new Set(results.map((result) => result.conversationId));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      const [store] = stores;
      if (store === undefined || id === undefined) throw new Error('no store');
      expect(await inboundTexts(store, id)).toHaveLength(30);
      const seen: number[] = [];
      await store.update(
        id,
        (saved) => {
          seen.push(fakeTurns(saved.snapshot));
          return { decision: null, result: null };
        },
        T0 + 100,
      );
      expect(seen).toEqual([30]);
      expect(await store.list({})).toHaveLength(1);
    });

    it('stores a message once when its retry lands on other instances at the same moment, and answers each the same', async () => {
      const stores = await instances();
      const senders = Array.from({ length: 8 }, (_, i) => `+1555100${String(i).padStart(4, '0')}`);
      const deliveries = senders.flatMap((participant, s) =>
        [0, 1, 2].map(
          (copy) => () =>
            pick(stores, s + copy).receive(
              inbound(`SM-${s}`, { participant, receivedAt: T0 + copy }),
              fakeDecide().decide,
            ),
        ),
      );
      const results = await Promise.all(deliveries.map((deliver) => deliver()));
      for (let s = 0; s < senders.length; s += 1) {
        const copies = results.slice(s * 3, s * 3 + 3);
        expect(copies.filter((result) => !result.duplicate)).toHaveLength(1);
        expect(new Set(copies.map((result) => JSON.stringify([result.conversationId, result.replies]))).size).toBe(1);
      }
      const [store] = stores;
      if (store === undefined) throw new Error('no store');
      const conversations = await store.list({});
      expect(conversations).toHaveLength(senders.length);
      for (const conversation of conversations) expect(await inboundTexts(store, conversation.id)).toHaveLength(1);
    });

    it('fires a due reminder once when every instance sweeps at the same moment', async () => {
      const stores = await instances();
      const [first] = stores;
      if (first === undefined) throw new Error('no store');
      const handle = createInboundHandler(first, settings);
      const sms = (participant: string, id: string, text: string, at: number) =>
        handle({
          channel: 'sms',
          participant,
          conversationKey: participant,
          provider: 'twilio',
          externalId: id,
          text,
          receivedAt: at,
        });
      for (let c = 0; c < 4; c += 1) await sms(`+1415555020${c}`, `A${c}`, 'can I talk to a person', T0 + c);
      const at = T0 + 31 * MINUTE;
      const fired = await Promise.all([...stores, ...stores].map((store) => sweepTimers(store, settings, at)));
      expect(fired.reduce((sum, n) => sum + n, 0)).toBe(4);
      expect(await Promise.all(stores.map((store) => sweepTimers(store, settings, at + MINUTE)))).toEqual([0, 0, 0]);
      const queued: OutboxItem[] = [];
      for (
        let claimed = await first.claimOutbox(at + MINUTE, LEASE, 100);
        claimed.length > 0;
        claimed = await first.claimOutbox(at + MINUTE, LEASE, 100)
      ) {
        for (const item of claimed) await first.markOutboxSent(item.id, `SM${item.id}`, at + MINUTE);
        queued.push(...claimed);
      }
      const reminders = queued.filter(
        (item) => item.payload.type === 'notice' && item.payload.notice.kind === 'reminder',
      );
      // One per conversation, after the notice that flagged it.
      expect(reminders).toHaveLength(4);
      expect(new Set(reminders.map((item) => item.conversationId)).size).toBe(4);
    });

    it("PJ's actions on one instance and the client's texts on another are serialized per conversation", async () => {
      const stores = await instances(2);
      const [a, b] = stores;
      if (a === undefined || b === undefined) throw new Error('no store');
      const handleA = createInboundHandler(a, settings);
      const actionsB = createAdvisorActions(b, settings, () => T0 + 10 * MINUTE);
      const client = '+14155550300';
      const first = await handleA({
        channel: 'sms',
        participant: client,
        conversationKey: client,
        provider: 'twilio',
        externalId: 'C0',
        text: 'hi',
        receivedAt: T0,
      });
      const racing = await Promise.all([
        actionsB.takeOver(first.conversationId, 'console'),
        actionsB.takeOver(first.conversationId, 'slack'),
        ...[1, 2, 3].map((i) =>
          handleA({
            channel: 'sms',
            participant: client,
            conversationKey: client,
            provider: 'twilio',
            externalId: `C${i}`,
            text: `question ${i}`,
            receivedAt: T0 + i,
          }),
        ),
      ]);
      const takeovers = racing.slice(0, 2);
      expect(takeovers.filter((result) => 'changed' in result && result.changed)).toHaveLength(1);
      expect(await inboundTexts(a, first.conversationId)).toHaveLength(4);
      expect((await b.get(first.conversationId))?.status).toBe('human');
    });

    it('sends each outbox item once, in order per recipient, while three instances claim at once', async () => {
      const stores = await instances();
      const [first] = stores;
      if (first === undefined) throw new Error('no store');
      for (let c = 0; c < 6; c += 1) {
        const { conversationId } = await first.receive(
          inbound(`o${c}`, { participant: `+1555200000${c}` }),
          fakeDecide({ replies: [] }).decide,
        );
        await first.enqueueOutbox(
          conversationId,
          [1, 2, 3, 4].map((n) => toClient(`c${c}-${n}`)),
          T0,
        );
      }
      const sent: OutboxItem[] = [];
      const inFlight = new Set<number>();
      let overtaken = 0;
      await Promise.all(
        stores.map(async (store) => {
          for (let round = 0; round < 200; round += 1) {
            const claimed = await store.claimOutbox(T0, LEASE, 3);
            if (claimed.length === 0 && sent.length === 24) return;
            for (const item of claimed) {
              if (inFlight.has(item.conversationId)) overtaken += 1;
              inFlight.add(item.conversationId);
            }
            await new Promise((resolve) => setTimeout(resolve, 1));
            for (const item of claimed) {
              sent.push(item);
              inFlight.delete(item.conversationId);
              await store.markOutboxSent(item.id, `SM${item.id}`, T0);
            }
          }
        }),
      );
      expect(overtaken).toBe(0);
      expect(sent).toHaveLength(24);
      expect(new Set(sent.map((item) => item.id)).size).toBe(24);
      for (let c = 0; c < 6; c += 1) {
        const texts = sent.filter((item) => item.payload.type === 'text' && item.payload.text.startsWith(`c${c}-`));
        expect(texts.map((item) => (item.payload.type === 'text' ? item.payload.text : ''))).toEqual(
          [1, 2, 3, 4].map((n) => `c${c}-${n}`),
        );
      }
    });

    it("expires a dead instance's leases once, as unknown, whichever instances look", async () => {
      const stores = await instances();
      const [dead] = stores;
      if (dead === undefined) throw new Error('no store');
      for (let c = 0; c < 5; c += 1) {
        const { conversationId } = await dead.receive(
          inbound(`e${c}`, { participant: `+1555300000${c}` }),
          fakeDecide({ replies: [] }).decide,
        );
        await dead.enqueueOutbox(conversationId, [toClient(`lost ${c}`), toClient(`next ${c}`)], T0);
      }
      const claimed = await dead.claimOutbox(T0, LEASE, 100);
      expect(claimed).toHaveLength(5);
      const expired = (await Promise.all(stores.map((store) => store.expireOutbox(T0 + LEASE)))).flat();
      expect(expired.map((item) => item.id).sort((x, y) => x - y)).toEqual(claimed.map((item) => item.id));
      expect(expired.every((item) => item.status === 'unknown')).toBe(true);
      // Never resent; the next message to each recipient goes ahead.
      const next = await Promise.all(stores.map((store) => store.claimOutbox(T0 + LEASE, LEASE, 100)));
      expect(
        next
          .flat()
          .map((item) => (item.payload.type === 'text' ? item.payload.text : ''))
          .sort(),
      ).toEqual([0, 1, 2, 3, 4].map((c) => `next ${c}`));
    });
  });
}
