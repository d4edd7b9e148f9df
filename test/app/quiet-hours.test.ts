import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createOutboxWorker } from '../../src/app/outbox-worker.js';
import { sweepTimers } from '../../src/app/sweep-timers.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { BotSettings } from '../../src/core/bot-settings.js';
import type { Channel } from '../../src/core/conversation.js';
import type { ClientSender } from '../../src/core/ports.js';
import { copy, flow } from '../support/copy.js';
import { recordLog } from '../support/logs.js';
import { botSettings } from '../support/settings.js';

// Quiet hours with an injected clock: texts the bot starts wait for 8:00 in the client's own zone
// (from the number), direct replies and PJ's own words never wait, and a held text gives way
// whenever the conversation moves on. The outbox is the SQLite store's, so a restart keeps them.

const LA = '+18585550101'; // San Diego: America/Los_Angeles
const NY = '+12125550102'; // Manhattan: America/New_York
const utc = (iso: string) => Date.parse(iso);

type Sent = { to: string; text: string; from: 'bot' | 'advisor' };

function settingsWith(quietHours: { start: number; end: number } | null = { start: 8, end: 21 }): BotSettings {
  return botSettings({ clientTime: { quietHours, advisorTimeZone: 'America/Los_Angeles' } });
}

describe("quiet hours for the texts the bot starts, on the client's clock", () => {
  let path: string;
  let clock: number;
  let sent: Sent[];
  let bot: ReturnType<typeof start>;
  let count = 0;

  /** The bot on the database at `path`: started again, it is the same bot after a restart. */
  function start(settings = settingsWith()) {
    const store = createSqliteConversationStore(path);
    const now = () => clock;
    const sender: ClientSender = {
      send: async (conversation, text, from) => {
        sent.push({ to: conversation.participant, text, from: from ?? 'bot' });
        return `SM${sent.length}`;
      },
    };
    const { log } = recordLog();
    const outbox = createOutboxWorker({
      store,
      settings,
      now,
      log,
      senders: {
        clients: { sms: sender, slack: sender, web: sender },
        advisorPhone: { off: 'off' },
        desk: { off: 'off' },
      },
    });
    const handle = createInboundHandler(store, settings);
    return {
      store,
      actions: createAdvisorActions(store, settings, now),
      /** The client texts: returns the bot's direct reply. */
      async text(from: string, body: string, extra: { channel?: Channel; region?: string } = {}) {
        const channel = extra.channel ?? 'sms';
        const result = await handle({
          channel,
          participant: from,
          conversationKey: from,
          provider: 'test',
          externalId: `m${++count}`,
          text: body,
          receivedAt: clock,
          ...(extra.region !== undefined && { region: extra.region }),
        });
        return { id: result.conversationId, replies: result.replies };
      },
      /** One round of the background: timers, then the outbox until nothing more is due. */
      async background() {
        await sweepTimers(store, settings, clock);
        while ((await outbox.tick()) > 0);
      },
      async notes(id: number) {
        return ((await store.get(id))?.transcript ?? []).filter((e) => e.direction === 'event').map((e) => e.text);
      },
    };
  }

  /** A client flagged for PJ at noon, California time. */
  async function waitingFor(from: string, options: { region?: string; channel?: Channel } = {}) {
    clock = utc('2026-01-15T20:00:00Z');
    await bot.text(from, 'hi', options);
    const { id } = await bot.text(from, 'can I talk to a real person?', options);
    await bot.background();
    sent = [];
    return id;
  }

  const toClient = (to: string) => sent.filter((s) => s.to === to);
  const handBack = copy(flow.resumed);

  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'quiet-hours-')), 'bot.db');
    sent = [];
    bot = start();
  });
  afterEach(async () => {
    await bot.store.close();
  });

  it('holds a hand-back line until 8:00 where each client is, through a restart', async () => {
    const la = await waitingFor(LA);
    const ny = await waitingFor(NY);
    // 22:00 in California, 1:00 in New York: PJ hands both back.
    clock = utc('2026-01-16T06:00:00Z');
    expect((await bot.actions.release(la, 'console')).ok).toBe(true);
    expect((await bot.actions.release(ny, 'console')).ok).toBe(true);
    await bot.background();
    expect(sent).toEqual([]);
    expect(await bot.notes(la)).toContain(copy(flow.transcript.held, { time: '8:00 AM PST' }));
    expect(await bot.notes(ny)).toContain(copy(flow.transcript.held, { time: '8:00 AM EST' }));

    await bot.store.close();
    bot = start();
    clock = utc('2026-01-16T12:59:59Z');
    await bot.background();
    expect(sent).toEqual([]);
    clock = utc('2026-01-16T13:00:00Z'); // 8:00 in New York, 5:00 in California
    await bot.background();
    expect(sent).toEqual([{ to: NY, text: expect.stringMatching(new RegExp(`^${handBack}`)), from: 'bot' }]);
    clock = utc('2026-01-16T16:00:00Z'); // 8:00 in California
    await bot.background();
    expect(toClient(LA)).toEqual([{ to: LA, text: expect.stringMatching(new RegExp(`^${handBack}`)), from: 'bot' }]);
  });

  it('sends at once by day, and never delays a direct reply at night', async () => {
    const la = await waitingFor(LA);
    clock = utc('2026-01-15T21:00:00Z'); // 13:00 in California
    await bot.actions.release(la, 'console');
    await bot.background();
    expect(toClient(LA)).toHaveLength(1);
    clock = utc('2026-01-16T10:00:00Z'); // 2:00 in California
    const { replies } = await bot.text(LA, 'we run payroll for dentists');
    expect(replies).toEqual([expect.stringMatching(/Who is asking/)]);
  });

  it('drops a held text when the client writes first, so their turn gets one text', async () => {
    const la = await waitingFor(LA);
    clock = utc('2026-01-16T06:00:00Z');
    await bot.actions.release(la, 'console');
    clock = utc('2026-01-16T15:00:00Z'); // 7:00 in California: still quiet
    const { replies } = await bot.text(LA, 'hello?');
    expect(replies).toHaveLength(1);
    clock = utc('2026-01-16T16:00:00Z');
    await bot.background();
    expect(toClient(LA)).toEqual([]);
    const dropped = copy(flow.transcript.heldDropped, {
      reason: copy(flow.transcript.heldReasons.clientWrote),
      text: '',
    });
    expect((await bot.notes(la)).some((note) => note.startsWith(dropped))).toBe(true);
  });

  it("sends PJ's reply the moment he sends it, at night too, in place of the bot's held text", async () => {
    const la = await waitingFor(LA);
    // The reminder fires at 23:30 in California: PJ is reminded, the client's holding text waits.
    clock = utc('2026-01-16T07:30:00Z');
    await bot.store.update(
      la,
      (saved) => ({
        decision: {
          machineVersion: saved.machineVersion,
          snapshot: saved.snapshot,
          summary: saved.record,
          replies: [],
          deadlines: { remindAt: clock, idleAt: null },
        },
        result: null,
      }),
      clock,
    );
    await bot.background();
    expect(toClient(LA)).toEqual([]);
    const held = (await bot.store.get(la))?.transcript.filter((e) => e.text === copy(flow.holding));
    expect(held).toHaveLength(1);

    clock = utc('2026-01-16T07:45:00Z');
    expect((await bot.actions.reply(la, 'PJ here, sorry for the late text. Call me tomorrow?', 'console')).ok).toBe(
      true,
    );
    await bot.background();
    expect(toClient(LA)).toEqual([
      { to: LA, text: 'PJ here, sorry for the late text. Call me tomorrow?', from: 'advisor' },
    ]);
    // The morning brings no holding text (PJ's silence since then may bring the hand-back line).
    clock = utc('2026-01-16T16:00:00Z');
    await bot.background();
    expect(toClient(LA).map((s) => s.text)).not.toContain(copy(flow.holding));
    const reason = copy(flow.transcript.heldReasons.advisorReplied);
    expect(await bot.notes(la)).toContain(copy(flow.transcript.heldDropped, { reason, text: copy(flow.holding) }));
  });

  it('drops a held text when the conversation closes', async () => {
    const la = await waitingFor(LA);
    clock = utc('2026-01-16T06:00:00Z');
    await bot.actions.release(la, 'console');
    await bot.actions.close(la, 'console');
    clock = utc('2026-01-16T16:00:00Z');
    await bot.background();
    expect(toClient(LA)).toEqual([]);
    expect((await bot.notes(la)).at(-1)).toMatch(
      new RegExp(
        `^${copy(flow.transcript.heldDropped, { reason: copy(flow.transcript.heldReasons.closed), text: '' }).replace(/[()]/g, '\\$&')}`,
      ),
    );
  });

  it('holds a text queued by day that is still waiting when the night begins, without counting a try', async () => {
    const la = await waitingFor(LA);
    clock = utc('2026-01-16T04:59:30Z'); // 20:59:30 in California
    await bot.actions.release(la, 'console');
    clock = utc('2026-01-16T05:00:05Z'); // 21:00:05: the worker gets to it only now
    await bot.background();
    expect(toClient(LA)).toEqual([]);
    clock = utc('2026-01-16T16:00:00Z');
    await bot.background();
    expect(toClient(LA)).toHaveLength(1);
    const [item] = ((await bot.store.exportConversation(la))?.outbox ?? []).filter(
      (o) => o.destination.kind === 'client',
    );
    expect(item).toMatchObject({ status: 'sent', attempts: 1, notBefore: utc('2026-01-16T16:00:00Z') });
  });

  it("places a number its area code does not by Twilio's FromState", async () => {
    const unlisted = '+15555550103';
    const id = await waitingFor(unlisted, { region: 'NY' });
    clock = utc('2026-01-16T06:00:00Z');
    await bot.actions.release(id, 'console');
    clock = utc('2026-01-16T13:00:00Z'); // 8:00 in New York
    await bot.background();
    expect(toClient(unlisted)).toHaveLength(1);
  });

  it('holds nothing on Slack, nor with QUIET_HOURS=off', async () => {
    const slackUser = 'T1:U1';
    const id = await waitingFor(slackUser, { channel: 'slack' });
    clock = utc('2026-01-16T06:00:00Z');
    await bot.actions.release(id, 'console');
    await bot.background();
    expect(toClient(slackUser).length).toBeGreaterThan(0);

    await bot.store.close();
    bot = start(settingsWith(null));
    const la = await waitingFor(LA);
    clock = utc('2026-01-16T06:00:00Z');
    await bot.actions.release(la, 'console');
    await bot.background();
    expect(toClient(LA)).toHaveLength(1);
  });
});
