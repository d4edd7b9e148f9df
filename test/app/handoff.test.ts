import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { sweepTimers } from '../../src/app/sweep-timers.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { fillAdvisor } from '../../src/core/render-reply.js';
import type { AdvisorActions, HandleInbound } from '../../src/core/driving-ports.js';
import type { Store, OutboxItem } from '../../src/core/ports.js';
import { by, copy, flow } from '../support/copy.js';
import { drainOutbox } from '../support/drain-outbox.js';
import { botSettings } from '../support/settings.js';
import { tempDatabasePath } from '../support/sms-harness.js';

const PJ_PHONE = '+18585550199';
const CLIENT = '+14155550101';
const MINUTE = 60_000;

const settings = botSettings({ handoff: { notifySms: PJ_PHONE, desk: true } });

describe('handing a conversation to PJ and back', () => {
  let path: string;
  let store: Store;
  let t: number;
  let handle: HandleInbound;
  let actions: AdvisorActions;
  let seq = 0;

  const text = (body: string) =>
    handle({
      channel: 'sms',
      participant: CLIENT,
      conversationKey: CLIENT,
      provider: 'twilio',
      externalId: `SM${++seq}`,
      text: body,
      receivedAt: t,
    });

  /** Everything queued for sending since the last call, marked sent so it is not seen twice. */
  const drain = () => drainOutbox(store, t);
  const describeItem = (i: OutboxItem) =>
    `${i.destination.kind}:${i.payload.type === 'notice' ? i.payload.notice.kind : `${i.payload.author}:${i.payload.text.slice(0, 20)}`}`;

  beforeEach(() => {
    path = tempDatabasePath();
    store = createSqliteConversationStore(path);
    t = Date.UTC(2026, 10, 26, 12);
    handle = createInboundHandler(store, settings);
    actions = createAdvisorActions(store, settings, () => t);
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
  });

  it('flags a "both" verdict for PJ and tells him on every surface', async () => {
    // Unknown asker: the service decides, and payments plus patient data is both.
    await text('we run payments for clinics and hold patient data');
    expect((await drain()).map(describeItem)).toEqual([]);
    const result = await text('not sure');
    expect(result.replies[0]).toContain(settings.flow.verdict.headline.both);
    const [c] = await store.list({});
    expect(c).toMatchObject({ status: 'waiting', flags: ['both'], verdict: 'both', side: 'client' });
    expect((await drain()).map(describeItem)).toEqual(['desk:flagged', 'advisorSms:flagged']);
  });

  it('flags a finance-side request for a plainly non-financial product as a conflict, with no verdict', async () => {
    await text('we are a SaaS CRM for dentists');
    const result = await text('their CFO');
    expect(result.replies).toHaveLength(1);
    for (const headline of Object.values(settings.flow.verdict.headline))
      expect(result.replies[0]).not.toContain(headline);
    // The flow's conflict line, quoting the client's product in between.
    const [before = '', after = ''] = settings.flow.conflict.split('{product}');
    expect(result.replies[0]).toContain(before);
    expect(result.replies[0]).toContain(fillAdvisor(after, settings.advisor));
    const [c] = await store.list({});
    expect(c).toMatchObject({ status: 'waiting', flags: ['conflict'], verdict: null });
    expect((await drain()).map(describeItem)).toEqual(['desk:flagged', 'advisorSms:flagged']);
  });

  it('mirrors later client messages, takes over once, relays PJ, keeps the bot quiet, and hands back', async () => {
    await text('hi');
    await text('can I talk to a real person?');
    const [c] = await store.list({});
    const id = c?.id ?? 0;
    await drain();
    await text('are you there?');
    expect((await drain()).map(describeItem)).toEqual(['desk:clientMessage', 'advisorSms:clientMessage']);

    const [first, second] = await Promise.all([actions.takeOver(id, 'console'), actions.takeOver(id, 'slack')]);
    expect(first).toMatchObject({ ok: true, changed: true });
    expect(second).toMatchObject({ ok: true, changed: false });
    expect((await drain()).map(describeItem)).toEqual(['desk:tookOver']);

    expect(await actions.reply(id, 'Hi, PJ here. What do you sell?', 'sms')).toMatchObject({ ok: true });
    expect((await drain()).map(describeItem)).toEqual(['client:advisor:Hi, PJ here. What do']);
    const quiet = await text('we do payroll');
    expect(quiet.replies).toEqual([]);
    expect((await drain()).map(describeItem)).toEqual(['desk:clientMessage', 'advisorSms:clientMessage']);

    expect(await actions.release(id, 'console')).toMatchObject({ ok: true, record: { status: 'bot' } });
    const back = await drain();
    expect(back.map(describeItem)).toEqual(['desk:released', 'client:bot:PJ handed you back t']);
    const detail = await store.get(id);
    expect(detail?.transcript.filter((e) => e.direction === 'event').map((e) => e.text)).toEqual([
      copy(flow.transcript.tookOver, { by: by('console') }),
      copy(flow.transcript.handedBack, { by: by('console') }),
    ]);
    expect(
      detail?.transcript.filter((e) => e.author === 'advisor' && e.direction === 'out').map((e) => e.text),
    ).toEqual(['Hi, PJ here. What do you sell?']);
  });

  it('takes over when PJ simply replies, and refuses to send to a client who opted out', async () => {
    await text('how much does this cost?');
    const [c] = await store.list({});
    const id = c?.id ?? 0;
    expect(await actions.reply(id, 'About 20k', 'sms')).toMatchObject({ ok: true, record: { status: 'human' } });
    await drain();
    await text('STOP');
    expect((await drain()).map(describeItem)).toEqual([
      'desk:clientMessage',
      'advisorSms:clientMessage',
      'desk:optedOut',
      'advisorSms:optedOut',
    ]);
    expect(await actions.reply(id, 'one more thing', 'sms')).toMatchObject({ ok: false, error: 'opted_out' });
    // Closing would let the next text greet someone who said stop: refused.
    expect(await actions.close(id, 'console')).toMatchObject({ ok: false, error: 'opted_out' });
    expect(await drain()).toEqual([]);
    expect((await text('hello?')).replies).toEqual([]);
  });

  it('sends one reminder and one holding text when PJ does not pick up, even across a restart', async () => {
    await text('is there a human I could speak with?');
    await drain();
    t += 29 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(0);
    await store.close();
    store = createSqliteConversationStore(path);
    t += 2 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(1);
    const items = await drain();
    expect(items.map(describeItem)).toEqual([
      'desk:reminder',
      'advisorSms:reminder',
      'client:bot:Thanks for your pati',
    ]);
    t += 60 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(0);
    expect(await drain()).toEqual([]);
  });

  it('hands back by itself when PJ stays silent, counting from his last message', async () => {
    await text('hi');
    await text('we host websites');
    const [c] = await store.list({});
    const id = c?.id ?? 0;
    await actions.takeOver(id, 'console');
    t += 200 * MINUTE;
    await actions.reply(id, 'still with you', 'console');
    t += 200 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(0);
    await drain();
    t += 41 * MINUTE;
    expect(await sweepTimers(store, settings, t)).toBe(1);
    expect((await store.get(id))?.status).toBe('bot');
    const items = await drain();
    expect(items.map(describeItem)).toEqual(['desk:released', 'client:bot:PJ handed you back t']);
    const line = items[1]?.payload;
    expect(line?.type === 'text' && line.text).toMatch(/Who is asking/);
  });

  it('mirrors the client to PJ after he takes over a conversation that was never flagged', async () => {
    await text('hi');
    const [c] = await store.list({});
    await actions.takeOver(c?.id ?? 0, 'console');
    await drain();
    await text('we run payroll');
    await text('STOP');
    expect((await drain()).map(describeItem)).toEqual([
      'desk:clientMessage',
      'advisorSms:clientMessage',
      'desk:clientMessage',
      'advisorSms:clientMessage',
      'desk:optedOut',
      'advisorSms:optedOut',
    ]);
  });

  it('closes a conversation; the next text starts a new one', async () => {
    await text('talk to a person please');
    const [c] = await store.list({});
    expect(await actions.close(c?.id ?? 0, 'console')).toMatchObject({ ok: true, record: { status: 'closed' } });
    expect(await actions.takeOver(c?.id ?? 0, 'console')).toMatchObject({ ok: false, error: 'closed' });
    await text('hello again');
    expect((await store.list({})).map((r) => r.status)).toEqual(['bot', 'closed']);
    expect(await actions.takeOver(9999, 'console')).toEqual({ ok: false, error: 'not_found' });
  });
});
