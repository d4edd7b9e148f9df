import { afterEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { reportDeliveryProblem } from '../../src/app/carrier-opt-out.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { sweepTimers } from '../../src/app/sweep-timers.js';
import { OPTED_OUT_CODE } from '../../src/core/delivery-error.js';
import type { OutboxItem, Store } from '../../src/core/ports.js';
import { botSettings } from '../support/settings.js';
import { fakeDecide, inbound, T0 } from './fake-decide.js';

// The decide-once contract (ConversationStore's doc comment): decide is a pure function of the
// stored state and the event, its results come back through the store call's return value, and
// a store that must retry a transaction simply runs it again on fresh state. Here every decide
// of the real use cases runs twice, as under such a retry, and the outcome must not change.

const MINUTE = 60_000;
const settings = botSettings({ handoff: { notifySms: '+18585550199', desk: true } });

interface Retrying {
  store: Store;
  /** How many times a decide ran, the discarded runs included. */
  runs(): number;
}

/**
 * `store` as a store that retries every transaction once would behave: each decide runs on the
 * saved state, its result is thrown away, and it runs again on a fresh copy of that state (what a
 * retry re-reads) to give the result that is saved. Any other method passes straight through.
 */
function decidingTwice(store: Store): Retrying {
  let runs = 0;
  function twice<S, R>(decide: (saved: S) => R): (saved: S) => R {
    return (saved) => {
      const fresh = structuredClone(saved);
      runs += 2;
      decide(saved);
      return decide(fresh);
    };
  }
  const receive: Store['receive'] = (message, decide) => store.receive(message, twice(decide));
  const update: Store['update'] = (id, decide, now) => store.update(id, twice(decide), now);
  const retrying = new Proxy(store, {
    get(target, property) {
      if (property === 'receive') return receive;
      if (property === 'update') return update;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: retrying, runs: () => runs };
}

/** Everything sent so far, claimed and marked sent, oldest first. */
async function sendAll(store: Store, now: number): Promise<OutboxItem[]> {
  const sent: OutboxItem[] = [];
  for (
    let claimed = await store.claimOutbox(now, MINUTE, 100);
    claimed.length > 0;
    claimed = await store.claimOutbox(now, MINUTE, 100)
  ) {
    for (const item of claimed) await store.markOutboxSent(item.id, `SM${item.id}`, now);
    sent.push(...claimed);
  }
  return sent.sort((a, b) => a.id - b.id);
}

/**
 * Two clients and PJ through every use case that decides inside a store call: texts (a duplicate
 * among them), PJ's actions (a refused one and one that changes nothing), both timers, and a
 * text the carrier refused. Returns what each call returned and everything stored afterwards.
 */
async function play(store: Store): Promise<Record<string, unknown>> {
  let clock = T0;
  // Every read of the clock moves it on: a use case reading it inside decide would tell.
  const now = () => (clock += 1);
  const handle = createInboundHandler(store, settings);
  const actions = createAdvisorActions(store, settings, now);
  const sms = (client: string, id: string, text: string, at: number) =>
    handle({
      channel: 'sms',
      participant: client,
      conversationKey: client,
      provider: 'twilio',
      externalId: id,
      text,
      receivedAt: at,
    });

  const ann = '+14155550101';
  const bob = '+14155550102';
  const texts = [
    await sms(ann, 'A1', 'hi', T0),
    await sms(ann, 'A2', 'we run payroll for restaurants', T0 + 1000),
    await sms(ann, 'A3', 'their controller', T0 + 2000),
    await sms(ann, 'A3', 'their controller', T0 + 3000),
    await sms(ann, 'A4', 'how much does this cost?', T0 + 4000),
    await sms(bob, 'B1', 'we build a CRM for dentists', T0 + 5000),
    await sms(bob, 'B2', 'can I talk to a person', T0 + 6000),
  ];
  const annId = texts[0]?.conversationId ?? 0;
  const bobId = texts[5]?.conversationId ?? 0;
  const reminded = await sweepTimers(store, settings, T0 + 31 * MINUTE);
  const advisor = [
    await actions.takeOver(bobId, 'console'),
    await actions.takeOver(bobId, 'slack'),
    await actions.reply(bobId, 'hello from PJ', 'sms'),
    await actions.note(bobId, 'call him Monday', 'console'),
    await actions.reply(annId, 'PJ here, about the price', 'slack', { channel: 'C1', ts: '1.1' }),
    await actions.release(annId, 'console'),
    await actions.close(annId, 'console'),
    await actions.release(annId, 'console'),
    await actions.takeOver(987654, 'console'),
  ];
  const handedBack = await sweepTimers(store, settings, T0 + 250 * MINUTE);
  const sent = await sendAll(store, T0 + 251 * MINUTE);
  const lost = sent.find((item) => item.conversationId === bobId && item.destination.kind === 'client');
  if (lost === undefined) throw new Error('no text to Bob was sent');
  const outcome = { problem: 'failed', code: OPTED_OUT_CODE, detail: '21610: unsubscribed recipient' } as const;
  const told = [
    await reportDeliveryProblem(store, settings, lost, outcome, T0 + 252 * MINUTE),
    await reportDeliveryProblem(store, settings, lost, outcome, T0 + 253 * MINUTE),
  ];
  const conversations = await Promise.all((await store.list({})).map((record) => store.get(record.id)));
  return {
    texts,
    reminded,
    advisor,
    handedBack,
    told,
    clock,
    sent,
    after: await sendAll(store, T0 + 254 * MINUTE),
    conversations,
  };
}

export function describeDecideOnceContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`decide-once contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await create();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it('gives the use cases the same outcome when every decide runs twice, the first result discarded', async () => {
      const once = await play(await open());
      const retrying = decidingTwice(await open());
      const twice = await play(retrying.store);
      expect(retrying.runs()).toBeGreaterThan(20);
      expect(twice).toEqual(once);
      // The scenario reached every kind of result it is meant to compare.
      expect(once).toMatchObject({
        texts: expect.arrayContaining([expect.objectContaining({ duplicate: true, says: [] })]),
        reminded: 2,
        handedBack: 1,
        told: [true, false],
        advisor: expect.arrayContaining([
          expect.objectContaining({ ok: true, changed: true }),
          expect.objectContaining({ ok: true, changed: false }),
          expect.objectContaining({ ok: false, error: 'closed' }),
          { ok: false, error: 'not_found' },
        ]),
      });
    });

    it('counts a side effect inside decide twice, which is why results come back through the return value', async () => {
      const retrying = decidingTwice(await open());
      const { decide } = fakeDecide();
      let sideEffects = 0;
      const received = await retrying.store.receive(inbound('m1'), (saved) => {
        sideEffects += 1;
        return decide(saved);
      });
      const updated = await retrying.store.update(
        received.conversationId,
        () => ({ decision: null, result: 'from decide' }),
        T0,
      );
      expect(sideEffects).toBe(2);
      expect(received).toMatchObject({ duplicate: false, replies: ['reply 1'], decision: { replies: ['reply 1'] } });
      expect(updated?.result).toBe('from decide');
      expect(retrying.runs()).toBe(4);
    });
  });
}
