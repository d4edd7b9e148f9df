import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationSummary, InboundMessage } from '../../src/core/conversation.js';
import type { ConversationStore, Decide, Decision, Received, SavedConversation, Store } from '../../src/core/ports.js';
import { botSummary, fakeDecide, fakeTurns, inbound, iso, T0 } from './fake-decide.js';
import type { FakeOptions } from './fake-decide.js';

// Every store implementation runs this same suite, so behaviour cannot drift between the SQLite
// store used locally and the PostgreSQL one meant for several instances (issue 10).

export function describeConversationStoreContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`ConversationStore contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await create();
    });
    afterEach(async () => {
      await store.close();
    });

    async function send(message: InboundMessage, options: FakeOptions = {}) {
      const { decide, seen, decided } = fakeDecide(options);
      const result: Received = await store.receive(message, decide);
      return { result, seen, decided };
    }

    async function detail(id: number) {
      const found = await store.get(id);
      if (found === null) throw new Error(`conversation ${id} not found`);
      return found;
    }

    it('creates a conversation for a new sender, deciding from null', async () => {
      const { result, seen, decided } = await send(inbound('m1'));
      expect(seen).toEqual([null]);
      expect(result).toEqual({
        conversationId: expect.any(Number),
        replies: ['reply 1'],
        duplicate: false,
        decision: decided[0],
      });
      expect(await detail(result.conversationId)).toEqual({
        id: result.conversationId,
        channel: 'sms',
        participant: '+15550000001',
        conversationKey: '+15550000001',
        ...botSummary,
        createdAt: iso(T0),
        updatedAt: iso(T0),
        transcript: [
          { at: iso(T0), direction: 'in', author: 'user', text: 'text m1' },
          { at: iso(T0), direction: 'out', author: 'bot', text: 'reply 1' },
        ],
      });
    });

    it("keeps the client's language with the summary, and a summary that names none as English", async () => {
      const spanish = await send(inbound('m1'), { summary: { ...botSummary, language: 'es' } });
      expect(await detail(spanish.result.conversationId)).toMatchObject({ language: 'es' });
      const other = await send(inbound('m2', { participant: '+15550000002' }), { summary: { language: undefined } });
      expect(await detail(other.result.conversationId)).toMatchObject({ language: 'en' });
    });

    it('hands the next message the saved snapshot and machine version', async () => {
      const first = await send(inbound('m1'), { machineVersion: 3 });
      const summary: ConversationSummary = {
        status: 'waiting',
        awaiting: 'asker',
        answers: { product: 'we run payroll', asker: null },
        verdict: 'both',
        side: 'buyer',
        flags: ['cost', 'unclear', 'conflict', 'followup'],
      };
      const second = await send(inbound('m2', { receivedAt: T0 + 1000 }), { summary, machineVersion: 4 });
      expect(second.seen).toEqual([
        {
          id: first.result.conversationId,
          machineVersion: 3,
          snapshot: { turns: 1, nested: { list: [1, 'two', null] } },
        },
      ]);
      expect(second.result.conversationId).toBe(first.result.conversationId);
      expect(await detail(first.result.conversationId)).toMatchObject({
        ...summary,
        createdAt: iso(T0),
        updatedAt: iso(T0 + 1000),
      });
      const third = await send(inbound('m3', { receivedAt: T0 + 2000 }));
      expect(third.seen).toEqual([
        {
          id: first.result.conversationId,
          machineVersion: 4,
          snapshot: { turns: 2, nested: { list: [1, 'two', null] } },
        },
      ]);
      expect(third.result.replies).toEqual(['reply 3']);
    });

    it('returns the first replies for a duplicate message id and changes nothing', async () => {
      const first = await send(inbound('m1'), { replies: ['a', 'b'] });
      const before = await detail(first.result.conversationId);
      const again = await send(inbound('m1', { text: 'retried', receivedAt: T0 + 5000 }), { replies: ['other'] });
      expect(again.seen).toEqual([]);
      expect(again.result).toEqual({
        conversationId: first.result.conversationId,
        replies: ['a', 'b'],
        duplicate: true,
        decision: null,
      });
      expect(await detail(first.result.conversationId)).toEqual(before);
      expect(before.transcript).toHaveLength(3);
      expect(await store.list({})).toHaveLength(1);
    });

    it('returns the decision it saved, with whatever the caller added to it, and none for a duplicate', async () => {
      interface Said extends Decision {
        said: string[];
      }
      const decide = (saved: SavedConversation | null): Said => {
        const turns = saved === null ? 1 : fakeTurns(saved.snapshot) + 1;
        return {
          machineVersion: 1,
          snapshot: { turns },
          summary: botSummary,
          replies: [`reply ${turns}`],
          said: [`said ${turns}`],
        };
      };
      await store.receive(inbound('m1'), decide);
      const second = await store.receive(inbound('m2', { receivedAt: T0 + 1 }), decide);
      expect(second.decision?.said).toEqual(['said 2']);
      expect(second).toEqual({
        conversationId: expect.any(Number),
        replies: ['reply 2'],
        duplicate: false,
        decision: {
          machineVersion: 1,
          snapshot: { turns: 2 },
          summary: botSummary,
          replies: ['reply 2'],
          said: ['said 2'],
        },
      });
      // What came back is what was stored: the next message is decided from its snapshot.
      const next = await send(inbound('m3', { receivedAt: T0 + 2 }));
      expect(next.seen[0]?.snapshot).toEqual(second.decision?.snapshot);
      const again = await store.receive(inbound('m2', { receivedAt: T0 + 3 }), decide);
      expect(again).toEqual({
        conversationId: second.conversationId,
        replies: ['reply 2'],
        duplicate: true,
        decision: null,
      });
    });

    it('does not treat the same id from another provider as a duplicate', async () => {
      const first = await send(inbound('m1'));
      const other = await send(inbound('m1', { provider: 'other', receivedAt: T0 + 1 }));
      expect(other.result.duplicate).toBe(false);
      expect(other.result.conversationId).toBe(first.result.conversationId);
      expect(other.seen[0]).not.toBeNull();
      expect((await detail(first.result.conversationId)).transcript).toHaveLength(4);
    });

    it("still knows a retried message id once its conversation closed and the sender's next text opened another", async () => {
      const first = await send(inbound('m1'), { replies: ['bye'], summary: { status: 'closed' } });
      const next = await send(inbound('m2', { receivedAt: T0 + 1 }));
      const retried = await send(inbound('m1', { receivedAt: T0 + 2 }), { replies: ['other'] });
      expect(retried.seen).toEqual([]);
      expect(retried.result).toEqual({
        conversationId: first.result.conversationId,
        replies: ['bye'],
        duplicate: true,
        decision: null,
      });
      expect((await detail(next.result.conversationId)).transcript).toHaveLength(2);
    });

    it('starts a new conversation after a closed one', async () => {
      const first = await send(inbound('m1'), { summary: { status: 'closed' } });
      const next = await send(inbound('m2', { receivedAt: T0 + 1 }));
      expect(next.seen).toEqual([null]);
      expect(next.result.conversationId).not.toBe(first.result.conversationId);
      expect((await detail(first.result.conversationId)).transcript).toHaveLength(2);
      expect(await store.list({ participant: '+15550000001' })).toHaveLength(2);
    });

    const thread = 'T1:C1:1700000000.000100';
    const slack = (externalId: string, participant: string, conversationKey: string, receivedAt: number) =>
      inbound(externalId, { channel: 'slack', provider: 'slack', participant, conversationKey, receivedAt });

    it('shares one conversation between senders with the same key, named after the first sender', async () => {
      const first = await send(slack('s1', 'T1:U1', thread, T0));
      const second = await send(slack('s2', 'T1:U2', thread, T0 + 1000));
      expect(second.seen).toEqual([expect.objectContaining({ id: first.result.conversationId })]);
      expect(second.result.conversationId).toBe(first.result.conversationId);
      const found = await detail(first.result.conversationId);
      expect(found).toMatchObject({ channel: 'slack', participant: 'T1:U1', updatedAt: iso(T0 + 1000) });
      expect(found.transcript.filter((entry) => entry.direction === 'in').map((entry) => entry.text)).toEqual([
        'text s1',
        'text s2',
      ]);
      expect(await store.list({})).toHaveLength(1);
      expect(await store.list({ participant: 'T1:U2' })).toEqual([]);
    });

    it('keeps one sender in two conversations apart when their keys differ', async () => {
      const dm = await send(slack('s1', 'T1:U1', 'T1:U1', T0));
      const inThread = await send(slack('s2', 'T1:U1', thread, T0 + 1));
      const dmAgain = await send(slack('s3', 'T1:U1', 'T1:U1', T0 + 2));
      expect(inThread.seen).toEqual([null]);
      expect(inThread.result.conversationId).not.toBe(dm.result.conversationId);
      expect(dmAgain.seen).toEqual([expect.objectContaining({ id: dm.result.conversationId })]);
      expect((await detail(inThread.result.conversationId)).participant).toBe('T1:U1');
      expect(await store.list({ participant: 'T1:U1' })).toHaveLength(2);
    });

    it('finds the open conversation for a key, and none once it is closed', async () => {
      expect(await store.findOpen('slack', thread)).toBeNull();
      const first = await send(slack('s1', 'T1:U1', thread, T0));
      await send(slack('s2', 'T1:U2', thread, T0 + 1));
      const open = await store.findOpen('slack', thread);
      expect(open).toEqual((await store.list({})).find((record) => record.id === first.result.conversationId));
      expect(open).toMatchObject({ participant: 'T1:U1', updatedAt: iso(T0 + 1) });
      expect(await store.findOpen('slack', 'T1:C1:1700000000.999999')).toBeNull();
      expect(await store.findOpen('sms', thread)).toBeNull();

      await send(slack('s3', 'T1:U1', thread, T0 + 2), { summary: { status: 'closed' } });
      expect(await store.findOpen('slack', thread)).toBeNull();
      const next = await send(slack('s4', 'T1:U2', thread, T0 + 3));
      expect(next.result.conversationId).not.toBe(first.result.conversationId);
      expect(await store.findOpen('slack', thread)).toMatchObject({
        id: next.result.conversationId,
        participant: 'T1:U2',
      });
    });

    it('keeps reloading conversations that are open in any other status', async () => {
      const first = await send(inbound('m1'), { summary: { status: 'opted_out' } });
      const next = await send(inbound('m2', { receivedAt: T0 + 1 }), { summary: { status: 'human' } });
      const last = await send(inbound('m3', { receivedAt: T0 + 2 }));
      expect(next.seen[0]?.id).toBe(first.result.conversationId);
      expect(last.seen[0]?.id).toBe(first.result.conversationId);
    });

    it('leaves no trace when decide throws, for a new sender', async () => {
      const failing: Decide = () => {
        throw new Error('machine broke');
      };
      await expect(store.receive(inbound('m1'), failing)).rejects.toThrow('machine broke');
      expect(await store.list({})).toEqual([]);
      const retry = await send(inbound('m1'));
      expect(retry.result.duplicate).toBe(false);
      expect(retry.seen).toEqual([null]);
      expect((await detail(retry.result.conversationId)).transcript).toHaveLength(2);
    });

    it('leaves no trace when decide throws, for an existing conversation', async () => {
      const first = await send(inbound('m1'));
      const before = await detail(first.result.conversationId);
      const failing: Decide = () => {
        throw new Error('machine broke');
      };
      await expect(store.receive(inbound('m2', { receivedAt: T0 + 1 }), failing)).rejects.toThrow('machine broke');
      expect(await detail(first.result.conversationId)).toEqual(before);
      const retry = await send(inbound('m2', { receivedAt: T0 + 2 }));
      expect(retry.result).toMatchObject({
        conversationId: first.result.conversationId,
        replies: ['reply 2'],
        duplicate: false,
      });
    });

    it('keeps the transcript in order with authors and directions', async () => {
      const first = await send(inbound('m1', { text: 'one' }), { replies: ['r1a', 'r1b'] });
      await send(inbound('m2', { text: 'two', receivedAt: T0 + 1000 }), { replies: [] });
      await send(inbound('m3', { text: 'three', receivedAt: T0 + 2000 }), { replies: ['r3'] });
      expect((await detail(first.result.conversationId)).transcript).toEqual([
        { at: iso(T0), direction: 'in', author: 'user', text: 'one' },
        { at: iso(T0), direction: 'out', author: 'bot', text: 'r1a' },
        { at: iso(T0), direction: 'out', author: 'bot', text: 'r1b' },
        { at: iso(T0 + 1000), direction: 'in', author: 'user', text: 'two' },
        { at: iso(T0 + 2000), direction: 'in', author: 'user', text: 'three' },
        { at: iso(T0 + 2000), direction: 'out', author: 'bot', text: 'r3' },
      ]);
    });

    it('lists newest first and filters by channel, participant and status', async () => {
      const a = await send(inbound('a', { participant: '+15550000001', receivedAt: T0 + 10 }));
      const b = await send(inbound('b', { participant: '+15550000002', receivedAt: T0 + 20 }), {
        summary: { status: 'waiting' },
      });
      const c = await send(
        inbound('c', { channel: 'slack', provider: 'slack', participant: 'T1:U1', receivedAt: T0 + 30 }),
      );
      // Same updatedAt as c: the later id wins.
      const d = await send(inbound('d', { participant: '+15550000003', receivedAt: T0 + 30 }));
      const ids = async (filter: Parameters<ConversationStore['list']>[0]) =>
        (await store.list(filter)).map((record) => record.id);

      expect(await ids({})).toEqual([d, c, b, a].map((x) => x.result.conversationId));
      expect(await ids({ channel: 'slack' })).toEqual([c.result.conversationId]);
      expect(await ids({ participant: '+15550000002' })).toEqual([b.result.conversationId]);
      expect(await ids({ status: 'waiting' })).toEqual([b.result.conversationId]);
      expect(await ids({ channel: 'sms', status: 'bot' })).toEqual([d, a].map((x) => x.result.conversationId));
      expect(await ids({ channel: 'slack', status: 'waiting' })).toEqual([]);

      await send(inbound('a2', { participant: '+15550000001', receivedAt: T0 + 40 }));
      expect((await ids({}))[0]).toBe(a.result.conversationId);
      const [top] = await store.list({});
      expect(top).toMatchObject({ participant: '+15550000001', updatedAt: iso(T0 + 40) });
      expect(top).not.toHaveProperty('transcript');
    });

    it('pages newest first by a cursor that neither repeats nor skips, and lists what changed since a time', async () => {
      // 7 conversations, three of them changed at the same instant: the id breaks the tie.
      const at = [10, 20, 30, 30, 30, 40, 50];
      const ids: number[] = [];
      for (const [n, offset] of at.entries()) {
        const participant = `+1555000${String(n).padStart(4, '0')}`;
        ids.push((await send(inbound(`p${n}`, { participant, receivedAt: T0 + offset }))).result.conversationId);
      }
      const nth = (...which: number[]) => which.map((n) => ids[n]);
      const page = async (limit: number, before?: { updatedAt: number; id: number }) =>
        store.list({}, { limit, ...(before && { before }) });
      const seen: number[] = [];
      let before: { updatedAt: number; id: number } | undefined;
      for (;;) {
        const got = await page(2, before);
        seen.push(...got.map((c) => c.id));
        const last = got.at(-1);
        if (got.length < 2 || last === undefined) break;
        before = { updatedAt: Date.parse(last.updatedAt), id: last.id };
        // A conversation on a page already read changes in between: it moves to the top, and the
        // pages still to come neither show it again nor lose one.
        if (seen.length === 2) await send(inbound('moved', { participant: '+15550000005', receivedAt: T0 + 60 }));
      }
      expect(seen).toEqual(nth(6, 5, 4, 3, 2, 1, 0));
      expect((await page(100)).map((c) => c.id)).toEqual(nth(5, 6, 4, 3, 2, 1, 0));
      expect(await page(3, { updatedAt: T0 + 10, id: ids[0] ?? 0 })).toEqual([]);

      const since = async (updatedSince: number, limit?: number, before?: { updatedAt: number; id: number }) =>
        (
          await store.list({ updatedSince }, limit === undefined ? undefined : { limit, ...(before && { before }) })
        ).map((c) => c.id);
      expect(await since(T0 + 30)).toEqual(nth(5, 6, 4, 3, 2));
      expect(await since(T0 + 61)).toEqual([]);
      expect(await since(T0 + 30, 2, { updatedAt: T0 + 30, id: ids[4] ?? 0 })).toEqual(nth(3, 2));
      expect(await store.list({ status: 'bot', updatedSince: T0 + 50 }, { limit: 1 })).toMatchObject([{ id: ids[5] }]);
    });

    it('returns null for an unknown id', async () => {
      expect(await store.get(987654)).toBeNull();
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
