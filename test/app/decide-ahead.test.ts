import { describe, expect, it } from 'vitest';
import { unchanged } from '../../src/app/apply-event.js';
import { createDecideAhead, type DecideElsewhere } from '../../src/app/decide-ahead.js';
import { decideInbound } from '../../src/app/decide-inbound.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import { MACHINE_VERSION } from '../../src/core/conversation-machine.js';
import type { InboundPeek, PeekedInbound, SavedConversation } from '../../src/core/ports.js';
import { botSettings } from '../support/settings.js';

// Issue 11: a text may be decided ahead of its transaction, elsewhere, on what a peek read. The
// transaction saves that decision only when it is handed the same state; else it decides itself.

const settings = botSettings();
let sid = 0;
const text = (participant: string, body: string): InboundMessage => ({
  channel: 'sms',
  participant,
  conversationKey: participant,
  provider: 'test',
  externalId: `SM${(sid += 1)}`,
  text: body,
  receivedAt: 1_000_000 + sid,
});

/** Decides as the main thread would, but says so in its replies, and counts. */
function markedElsewhere(before?: (message: InboundMessage) => Promise<void>): DecideElsewhere & { calls: number } {
  const elsewhere = Object.assign(
    async (message: InboundMessage, saved: SavedConversation | null, optedOut: boolean | null) => {
      elsewhere.calls += 1;
      await before?.(message);
      const decision = decideInbound(settings, message, saved, () => optedOut ?? false);
      return { ...decision, replies: decision.replies.map((reply) => `elsewhere: ${reply}`) };
    },
    { calls: 0 },
  );
  return elsewhere;
}

describe('deciding a text ahead of its transaction', () => {
  it('saves the decision made ahead when the transaction is handed the same state', async () => {
    const store = createSqliteConversationStore(':memory:');
    const elsewhere = markedElsewhere();
    const handle = createInboundHandler(store, settings, createDecideAhead(store, elsewhere));
    const replies = [];
    for (const body of ['hi', 'we run payroll for restaurants', 'their CFO asked'])
      replies.push(...(await handle(text('+14155550101', body))).replies);
    expect(elsewhere.calls).toBe(3);
    expect(replies).toHaveLength(3);
    for (const reply of replies) expect(reply).toMatch(/^elsewhere: /);
    expect((await store.list({}))[0]?.verdict).toBe('soc1');
    await store.close();
  });

  it('decides in the transaction when the conversation changed after the peek (PJ took it over)', async () => {
    const store = createSqliteConversationStore(':memory:');
    const participant = '+14155550102';
    const inline = createInboundHandler(store, settings);
    await inline(text(participant, 'hi'));
    const id = (await store.list({}))[0]?.id ?? 0;
    // PJ acts between the peek and the transaction: the row is saved again, its version moves on.
    const elsewhere = markedElsewhere(async () => {
      await store.update(id, (saved) => ({ decision: unchanged(saved), result: null }), 2_000_000);
    });
    const handle = createInboundHandler(store, settings, createDecideAhead(store, elsewhere));
    const result = await handle(text(participant, 'we run payroll for restaurants'));
    expect(elsewhere.calls).toBe(1);
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]).not.toMatch(/^elsewhere: /);
    await store.close();
  });

  it('decides a duplicate nowhere, and in place when nothing was decided ahead', async () => {
    const store = createSqliteConversationStore(':memory:');
    const elsewhere = markedElsewhere();
    const handle = createInboundHandler(store, settings, createDecideAhead(store, elsewhere));
    const first = text('+14155550103', 'hi');
    await handle(first);
    expect((await handle(first)).duplicate).toBe(true);
    expect(elsewhere.calls).toBe(1);
    const declining = createInboundHandler(
      store,
      settings,
      createDecideAhead(store, async () => null),
    );
    const result = await declining(text('+14155550103', 'we run payroll for restaurants'));
    expect(result.replies[0]).toMatch(/who/i);
    await store.close();
  });
});

describe('whether a decision made ahead fits', () => {
  const saved = (
    version: number | undefined,
    held: Array<[number, number]> = [],
    machineVersion = MACHINE_VERSION,
  ): SavedConversation => ({
    id: 7,
    machineVersion,
    snapshot: {},
    ...(version !== undefined && { version }),
    ...(held.length > 0 && { held: held.map(([id, notBefore]) => ({ id, text: 'x', notBefore })) }),
  });
  async function aheadOn(peeked: PeekedInbound) {
    const store: InboundPeek = { peekInbound: async () => peeked };
    const decided = await createDecideAhead(store, async (message) => decideInbound(settings, message, null))(
      text('+14155550104', 'hi'),
    );
    if (decided === null) throw new Error('nothing decided ahead');
    return decided;
  }

  it('fits the same row at the same version with the same held texts, and nothing else', async () => {
    const ahead = await aheadOn({ duplicate: false, saved: saved(3, [[1, 50]]), optedOut: null });
    const never = () => {
      throw new Error('the opt-out is not read for a saved conversation');
    };
    expect(ahead.fits(saved(3, [[1, 50]]), never)).toBe(true);
    expect(ahead.fits(saved(4, [[1, 50]]), never)).toBe(false);
    expect(ahead.fits(saved(3, [[1, 60]]), never)).toBe(false);
    expect(ahead.fits(saved(3), never)).toBe(false);
    expect(ahead.fits({ ...saved(3, [[1, 50]]), id: 8 }, never)).toBe(false);
    expect(ahead.fits(null, () => false)).toBe(false);
    // A store that keeps no version gives nothing to compare: never a fit.
    const unversioned = await aheadOn({ duplicate: false, saved: saved(undefined), optedOut: null });
    expect(unversioned.fits(saved(undefined), never)).toBe(false);
  });

  it('fits a new conversation only while the kept opt-out reads as it did', async () => {
    const ahead = await aheadOn({ duplicate: false, saved: null, optedOut: true });
    expect(ahead.fits(null, () => true)).toBe(true);
    expect(ahead.fits(null, () => false)).toBe(false);
    expect(ahead.fits(saved(1), () => true)).toBe(false);
  });

  it("fits an older machine's row, which starts over, only while the kept opt-out reads as it did", async () => {
    const older = saved(3, [], MACHINE_VERSION - 1);
    const ahead = await aheadOn({ duplicate: false, saved: older, optedOut: false });
    expect(ahead.fits(older, () => false)).toBe(true);
    expect(ahead.fits(older, () => true)).toBe(false);
  });
});
