import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decide, HeldTextStore, OutboxDraft, OutboxItem, SavedConversation, Store } from '../../src/core/ports.js';
import { botSummary, fakeDecide, inbound, T0, toClient } from './fake-decide.js';

// Texts held for a client's quiet hours (OutboxDraft.notBefore, SavedConversation.held,
// Decision.dropHeld, holdOutbox). `database` gives a fresh shared database from which several
// stores can be opened: a second one stands in for another process, or for the bot after a restart.

type HoldingStore = Store & HeldTextStore;

const LEASE = 30_000;
const HOUR = 3_600_000;
const held = (text: string, notBefore: number): OutboxDraft => ({ ...toClient(text), notBefore });
const texts = (items: OutboxItem[]) =>
  items.map((item) => (item.payload.type === 'text' ? item.payload.text : item.payload.type));

export function describeHeldTextsContract(
  name: string,
  database: () => { open(): Promise<HoldingStore> | HoldingStore },
): void {
  describe(`HeldTextStore contract: ${name}`, () => {
    let shared: { open(): Promise<HoldingStore> | HoldingStore };
    let store: HoldingStore;
    const opened: HoldingStore[] = [];

    beforeEach(async () => {
      shared = database();
      store = await shared.open();
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });

    let sender = 0;
    async function conversation(drafts: OutboxDraft[] = []): Promise<number> {
      sender += 1;
      const participant = `+1555100${String(sender).padStart(4, '0')}`;
      const { conversationId } = await store.receive(
        inbound(`h${sender}`, { participant }),
        fakeDecide({ replies: [] }).decide,
      );
      await store.enqueueOutbox(conversationId, drafts, T0);
      return conversationId;
    }

    /** What the next message's decide is handed, after the fake machine's own turn. */
    async function savedOnNextMessage(
      id: number,
      decide: Decide = fakeDecide({ replies: [] }).decide,
    ): Promise<SavedConversation | null> {
      const record = await store.get(id);
      let seen: SavedConversation | null = null;
      await store.receive(
        inbound(`next${id}-${Math.random()}`, { participant: record?.participant ?? '', receivedAt: T0 + 1 }),
        (saved) => {
          seen = saved;
          return decide(saved);
        },
      );
      return seen;
    }

    it('claims a held text only once it is due, and lets later texts to the client go ahead of it', async () => {
      const id = await conversation([held('good morning', T0 + 9 * HOUR), toClient('from PJ'), toClient('and more')]);
      const first = await store.claimOutbox(T0, LEASE, 10);
      expect(texts(first)).toEqual(['from PJ']);
      await store.markOutboxSent(first[0]?.id ?? 0, 'SM1', T0 + 1);
      expect(texts(await store.claimOutbox(T0 + 2, LEASE, 10))).toEqual(['and more']);
      expect(await store.claimOutbox(T0 + 9 * HOUR - 1, LEASE, 10)).toEqual([]);
      const due = await store.claimOutbox(T0 + 9 * HOUR, LEASE, 10);
      expect(due).toEqual([
        expect.objectContaining({
          ...held('good morning', T0 + 9 * HOUR),
          conversationId: id,
          status: 'sending',
          attempts: 1,
        }),
      ]);
    });

    it('hands each decision the texts still held, and removes those it drops, with nothing else', async () => {
      const id = await conversation([held('one', T0 + HOUR), toClient('not held'), held('two', T0 + 2 * HOUR)]);
      const saved = await savedOnNextMessage(id);
      expect(saved?.held).toEqual([
        { id: expect.any(Number), text: 'one', notBefore: T0 + HOUR },
        { id: expect.any(Number), text: 'two', notBefore: T0 + 2 * HOUR },
      ]);
      const [one] = saved?.held ?? [];
      const dropOne: Decide = (s) => ({ ...fakeDecide({ replies: [] }).decide(s), dropHeld: [one?.id ?? 0] });
      await savedOnNextMessage(id, dropOne);
      expect((await savedOnNextMessage(id))?.held?.map((h) => h.text)).toEqual(['two']);
      expect(texts(await store.claimOutbox(T0 + 3 * HOUR, LEASE, 10))).toEqual(['not held']);
    });

    it('hands an update its texts held too, and drops them there', async () => {
      const id = await conversation([held('holding', T0 + HOUR)]);
      const updated = await store.update(
        id,
        (saved) => ({
          decision: {
            machineVersion: saved.machineVersion,
            snapshot: saved.snapshot,
            summary: botSummary,
            replies: [],
            dropHeld: (saved.held ?? []).map((h) => h.id),
          },
          result: saved.held?.map((h) => h.text),
        }),
        T0 + 5,
      );
      expect(updated?.result).toEqual(['holding']);
      expect(await store.claimOutbox(T0 + 2 * HOUR, LEASE, 10)).toEqual([]);
    });

    it('leaves a held text that is already on its way alone', async () => {
      const id = await conversation([held('morning', T0 + HOUR)]);
      const saved = await savedOnNextMessage(id);
      const [claimed] = await store.claimOutbox(T0 + HOUR, LEASE, 10);
      const drop: Decide = (s) => ({
        ...fakeDecide({ replies: [] }).decide(s),
        dropHeld: saved?.held?.map((h) => h.id) ?? [],
      });
      await savedOnNextMessage(id, drop);
      await store.markOutboxSent(claimed?.id ?? 0, 'SM2', T0 + HOUR + 1);
      expect((await store.exportConversation(id))?.outbox.map((item) => item.status)).toEqual(['sent']);
    });

    it('puts a text back held when the night began before it went, its attempt not counted', async () => {
      await conversation([toClient('late'), toClient('PJ after')]);
      const [late] = await store.claimOutbox(T0, LEASE, 10);
      await store.holdOutbox(late?.id ?? 0, T0 + 10 * HOUR, T0 + 1);
      // Held, it no longer keeps PJ's text waiting.
      expect(texts(await store.claimOutbox(T0 + 2, LEASE, 10))).toEqual(['PJ after']);
      expect(await store.claimOutbox(T0 + 10 * HOUR - 1, LEASE, 10)).toEqual([]);
      expect(await store.claimOutbox(T0 + 10 * HOUR, LEASE, 10)).toEqual([
        expect.objectContaining({ id: late?.id, attempts: 1, notBefore: T0 + 10 * HOUR }),
      ]);
    });

    it('keeps a held text through a restart', async () => {
      const id = await conversation([held('after the night', T0 + 8 * HOUR)]);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      const restarted = await shared.open();
      opened.push(restarted);
      expect(await restarted.claimOutbox(T0 + 8 * HOUR - 1, LEASE, 10)).toEqual([]);
      expect(texts(await restarted.claimOutbox(T0 + 8 * HOUR, LEASE, 10))).toEqual(['after the night']);
      expect((await restarted.get(id))?.id).toBe(id);
    });

    it("keeps where the provider places the sender's number, the latest one given", async () => {
      const first = await store.receive(
        inbound('r1', { participant: '+15552220001', region: 'NY' }),
        fakeDecide().decide,
      );
      expect((await store.get(first.conversationId))?.region).toBe('NY');
      await store.receive(inbound('r2', { participant: '+15552220001', receivedAt: T0 + 1 }), fakeDecide().decide);
      expect((await store.get(first.conversationId))?.region).toBe('NY');
      await store.receive(
        inbound('r3', { participant: '+15552220001', receivedAt: T0 + 2, region: 'NJ' }),
        fakeDecide().decide,
      );
      expect((await store.findOpen('sms', '+15552220001'))?.region).toBe('NJ');
      const other = await store.receive(inbound('r4', { participant: '+15552220002' }), fakeDecide().decide);
      expect(await store.get(other.conversationId)).not.toHaveProperty('region');
    });
  });
}
