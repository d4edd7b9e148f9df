import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decision, OutboxDraft, SavedForUpdate, Store } from '../../src/core/ports.js';
import { botSummary, fakeDecide, fakeTurns, inbound, iso, T0, toClient } from './fake-decide.js';
import type { FakeOptions } from './fake-decide.js';

// What a decision writes besides the conversation itself (transcript notes, outbox items, timer
// deadlines), through receive and through update, always in the same transaction.

const toPj: OutboxDraft = {
  destination: { kind: 'advisorSms', to: '+15559990000' },
  payload: { type: 'notice', notice: { kind: 'flagged', reasons: ['both', 'cost'] } },
};
const deskNote: OutboxDraft = {
  destination: { kind: 'desk' },
  payload: { type: 'text', text: 'relayed', author: 'advisor', origin: { channel: 'C9', ts: '1700000000.000200' } },
};

export function describeConversationUpdateContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`ConversationStore notes, outbox and deadlines: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await create();
    });
    afterEach(async () => {
      await store.close();
    });

    async function start(options: FakeOptions = {}, receivedAt = T0): Promise<number> {
      const { decide } = fakeDecide(options);
      return (await store.receive(inbound(`m${receivedAt}`, { receivedAt }), decide)).conversationId;
    }
    const transcript = async (id: number) => (await store.get(id))?.transcript;
    /** Everything observable about the store besides the conversation rows. */
    const sideEffects = async (now: number) => ({
      due: await store.listDue(now),
      claimed: (await store.claimOutbox(now, 1000, 100)).map((item) => item.payload),
    });
    const turnOn = (saved: SavedForUpdate, extra: Partial<Decision> = {}): Decision => ({
      machineVersion: 2,
      snapshot: { turns: fakeTurns(saved.snapshot) + 1 },
      summary: { ...botSummary, status: 'human' },
      replies: [],
      ...extra,
    });

    it('receive appends notes after the replies and queues the outbox due at receipt', async () => {
      const id = await start({
        notes: [{ direction: 'event', author: 'advisor', text: 'flagged for PJ' }],
        outbox: [toClient('hello'), toPj],
      });
      expect(await transcript(id)).toEqual([
        { at: iso(T0), direction: 'in', author: 'user', text: 'text m' + T0 },
        { at: iso(T0), direction: 'out', author: 'bot', text: 'reply 1' },
        { at: iso(T0), direction: 'event', author: 'advisor', text: 'flagged for PJ' },
      ]);
      expect(await store.claimOutbox(T0 - 1, 1000, 10)).toEqual([]);
      const claimed = await store.claimOutbox(T0, 1000, 10);
      expect(claimed).toEqual([
        {
          ...toClient('hello'),
          id: expect.any(Number),
          conversationId: id,
          status: 'sending',
          attempts: 1,
          providerId: null,
          deliveryStatus: null,
          error: null,
          createdAt: T0,
        },
        expect.objectContaining({ ...toPj, conversationId: id, createdAt: T0 }),
      ]);
    });

    it('receive sets deadlines when given and leaves them otherwise', async () => {
      const id = await start({ deadlines: { remindAt: T0 + 100, idleAt: null } });
      expect(await store.listDue(T0 + 99)).toEqual([]);
      expect(await store.listDue(T0 + 100)).toEqual([{ id, remindDue: true, idleDue: false }]);
      await start({}, T0 + 1);
      expect(await store.listDue(T0 + 100)).toEqual([{ id, remindDue: true, idleDue: false }]);
      await start({ deadlines: { remindAt: null, idleAt: T0 + 50 } }, T0 + 2);
      expect(await store.listDue(T0 + 100)).toEqual([{ id, remindDue: false, idleDue: true }]);
      await start({ deadlines: { remindAt: null, idleAt: null } }, T0 + 3);
      expect(await store.listDue(Number.MAX_SAFE_INTEGER)).toEqual([]);
    });

    it('lists every conversation with a deadline due, saying which', async () => {
      const a = await start({ deadlines: { remindAt: T0 + 10, idleAt: T0 + 20 } });
      const { decide } = fakeDecide({ deadlines: { remindAt: null, idleAt: T0 + 15 } });
      const b = (await store.receive(inbound('b1', { participant: '+15550000002' }), decide)).conversationId;
      expect(await store.listDue(T0 + 10)).toEqual([{ id: a, remindDue: true, idleDue: false }]);
      expect(await store.listDue(T0 + 20)).toEqual([
        { id: a, remindDue: true, idleDue: true },
        { id: b, remindDue: false, idleDue: true },
      ]);
    });

    it('a receive whose decide throws writes no notes, outbox or deadlines', async () => {
      const id = await start();
      const before = await store.get(id);
      const failing = () => {
        throw new Error('machine broke');
      };
      await expect(store.receive(inbound('x', { receivedAt: T0 + 1 }), failing)).rejects.toThrow('machine broke');
      expect(await store.get(id)).toEqual(before);
      expect(await sideEffects(T0 + 10)).toEqual({ due: [], claimed: [] });
    });

    it('a decision that fails to store part way through is rolled back whole', async () => {
      const id = await start();
      const before = await store.get(id);
      const { decide } = fakeDecide({
        notes: [{ direction: 'event', author: 'bot', text: 'written first' }],
        outbox: [
          toClient('fine'),
          { destination: { kind: 'nowhere' }, payload: toPj.payload } as unknown as OutboxDraft,
        ],
        deadlines: { remindAt: T0, idleAt: T0 },
      });
      await expect(store.receive(inbound('x', { receivedAt: T0 + 1 }), decide)).rejects.toThrow();
      await expect(store.update(id, (saved) => ({ decision: decide(saved), result: null }), T0 + 2)).rejects.toThrow();
      expect(await store.get(id)).toEqual(before);
      expect(await sideEffects(T0 + 10)).toEqual({ due: [], claimed: [] });
      expect((await store.receive(inbound('x', { receivedAt: T0 + 3 }), fakeDecide().decide)).duplicate).toBe(false);
    });

    it('update returns null for an unknown id without calling decide', async () => {
      let called = false;
      const result = await store.update(
        424242,
        () => {
          called = true;
          return { decision: null, result: null };
        },
        T0,
      );
      expect(result).toBeNull();
      expect(called).toBe(false);
    });

    it('update hands decide the saved state, record and deadlines; a null decision changes nothing', async () => {
      const id = await start({ deadlines: { remindAt: T0 + 5, idleAt: null }, machineVersion: 7 });
      const before = await store.get(id);
      const seen: SavedForUpdate[] = [];
      const result = await store.update(
        id,
        (saved) => {
          seen.push(saved);
          return { decision: null, result: 'refused' };
        },
        T0 + 1000,
      );
      const record = (await store.list({})).find((each) => each.id === id);
      expect(seen).toEqual([
        {
          id,
          machineVersion: 7,
          snapshot: { turns: 1, nested: { list: [1, 'two', null] } },
          record,
          deadlines: { remindAt: T0 + 5, idleAt: null },
        },
      ]);
      expect(result).toEqual({ record, result: 'refused' });
      expect(await store.get(id)).toEqual(before);
    });

    it('update saves the decision with notes at now, outbox due now and deadlines, in one go', async () => {
      const id = await start();
      const now = T0 + 60_000;
      const result = await store.update(
        id,
        (saved) => ({
          decision: turnOn(saved, {
            notes: [{ direction: 'event', author: 'advisor', text: 'PJ took over' }],
            outbox: [toClient('PJ here'), deskNote],
            deadlines: { remindAt: null, idleAt: now + 1000 },
          }),
          result: { tookOver: true },
        }),
        now,
      );
      expect(result).toEqual({
        record: (await store.list({})).find((each) => each.id === id),
        result: { tookOver: true },
      });
      expect(result?.record).toMatchObject({ id, status: 'human', createdAt: iso(T0), updatedAt: iso(now) });
      expect((await store.get(id))?.transcript.at(-1)).toEqual({
        at: iso(now),
        direction: 'event',
        author: 'advisor',
        text: 'PJ took over',
      });
      expect(await store.claimOutbox(now - 1, 1000, 10)).toEqual([]);
      const claimed = await store.claimOutbox(now, 1000, 10);
      expect(claimed.map(({ destination, payload, createdAt }) => ({ destination, payload, createdAt }))).toEqual([
        { ...toClient('PJ here'), createdAt: now },
        { ...deskNote, createdAt: now },
      ]);
      expect(await store.listDue(now + 1000)).toEqual([{ id, remindDue: false, idleDue: true }]);
      // The next message sees what the update saved.
      const { decide, seen } = fakeDecide();
      await store.receive(inbound('after', { receivedAt: now + 1 }), decide);
      expect(seen).toEqual([{ id, machineVersion: 2, snapshot: { turns: 2 } }]);
    });

    it('update applies to a closed conversation too', async () => {
      const id = await start({ summary: { status: 'closed' } });
      const result = await store.update(
        id,
        (saved) => ({
          decision: turnOn(saved, {
            summary: { ...botSummary, status: 'closed' },
            notes: [{ direction: 'event', author: 'advisor', text: 'note after close' }],
          }),
          result: null,
        }),
        T0 + 5,
      );
      expect(result?.record).toMatchObject({ id, status: 'closed', updatedAt: iso(T0 + 5) });
      expect((await transcript(id))?.map((entry) => entry.text)).toContain('note after close');
    });

    it('an update whose decide throws leaves nothing behind', async () => {
      const id = await start();
      const before = await store.get(id);
      await expect(
        store.update(
          id,
          () => {
            throw new Error('advisor action broke');
          },
          T0 + 1,
        ),
      ).rejects.toThrow('advisor action broke');
      expect(await store.get(id)).toEqual(before);
      expect(await sideEffects(T0 + 10)).toEqual({ due: [], claimed: [] });
    });
  });
}
