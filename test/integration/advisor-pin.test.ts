import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeSlackText } from '../../src/adapters/slack/slack-sender.js';
import type { OutboxItem } from '../../src/core/ports.js';
import { by, copy, flow } from '../support/copy.js';
import { drainOutbox } from '../support/drain-outbox.js';
import { BOT_NUMBER, newMessageSid, replyTo } from '../support/sms-harness.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

const BOB = '+14155550102';
/** PJ's own phone (ADVISOR_NOTIFY_SMS). */
const PJ_PHONE = '+18585550199';
const DESK = 'C0DESK';
/** Long enough that no random message id holds it by chance: the database is searched for it. */
const PIN = '583190274615';
const WRONG = '402913';
const t = flow.advisor.commands;

const clientTexts = (items: OutboxItem[]) =>
  items.flatMap((o) => (o.destination.kind === 'client' && o.payload.type === 'text' ? [o.payload.text] : []));

/** Every row of every table, as text: what the bot keeps. */
function everythingKept(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('PJ’s commands with ADVISOR_COMMAND_PIN', () => {
  let h: SlackHarness;
  let bob: number;
  const text = (body: string, sid?: string) => replyTo(h, PJ_PHONE, body, sid);
  const deskAlerts = () =>
    h.calls.filter(
      (c) =>
        c.method === 'chat.postMessage' && c.body.channel === DESK && c.body.thread_ts === undefined && !c.body.blocks,
    );
  /** The desk line, as posted: Slack's markup escaped. */
  const alert = (command: string) =>
    escapeSlackText(copy(flow.advisor.pinRefused, { sender: '+1858***0199', command }));
  const ignored = (reason: RegExp) => h.logs.filter((line) => reason.test(line));

  beforeEach(async () => {
    h = await startSlackHarness({
      TWILIO_ACCOUNT_SID: `AC${'c3'.repeat(16)}`,
      TWILIO_PHONE_NUMBER: BOT_NUMBER,
      ADVISOR_NOTIFY_SMS: PJ_PHONE,
      ADVISOR_COMMAND_PIN: PIN,
      SLACK_HANDOFF_CHANNEL: DESK,
      SLACK_ADVISOR_USER_IDS: 'U0PJ',
    });
    await replyTo(h, BOB, 'can I talk to a real person?');
    bob = (await h.composed.store.list({ participant: BOB }))[0]?.id ?? 0;
    await drainOutbox(h.composed.store);
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs a command that starts with the PIN, and keeps and logs it without the PIN', async () => {
    expect(await text(`${PIN} ${bob} on my way`)).toEqual([copy(t.sent, { id: bob })]);
    expect(await text(`  ${PIN}   list`)).toEqual([
      copy(t.list, {
        items: copy(t.listItemFlagged, { id: bob, where: t.withYou, reasons: 'human', sender: '+1415***0102' }),
      }),
    ]);
    expect(clientTexts(await drainOutbox(h.composed.store))).toEqual(['on my way']);
    const transcript = (await h.composed.store.get(bob))?.transcript ?? [];
    expect(transcript.slice(-2).map((e) => e.text)).toEqual([
      copy(flow.transcript.tookOver, { by: by('sms') }),
      'on my way',
    ]);

    expect(everythingKept(h.databasePath)).not.toContain(PIN);
    expect(h.logs.join('')).not.toContain(PIN);
    expect(h.logs.join('')).toMatch(/handled advisor command by SMS/);
    expect(deskAlerts()).toEqual([]);
  });

  it('runs nothing without the PIN or with a wrong one, answers nothing, and shows the attempt on the desk and in the console', async () => {
    expect(await text(`${bob} hello, this is PJ`)).toEqual([]);
    expect(await text(`${WRONG} ${bob} close`)).toEqual([]);
    expect(await text(`${WRONG} list`)).toEqual([]);
    const sid = newMessageSid();
    expect(await text(`${WRONG}${WRONG}`, sid)).toEqual([]);
    // Twilio retrying the same message shows it once.
    expect(await text(`${WRONG}${WRONG}`, sid)).toEqual([]);

    const detail = await h.composed.store.get(bob);
    expect(detail?.status).toBe('waiting');
    expect(clientTexts(await drainOutbox(h.composed.store))).toEqual([]);
    // The console shows the transcript: what was asked of this conversation, never the words or the PIN.
    const asked = t.asked;
    expect(detail?.transcript.filter((e) => e.direction === 'event').map((e) => e.text)).toEqual([
      copy(flow.transcript.pinRefused, { command: copy(asked.reply, { id: bob }) }),
      copy(flow.transcript.pinRefused, { command: copy(asked.close, { id: bob }) }),
    ]);
    await h.waitFor('chat.postMessage', 4);
    expect(deskAlerts().map((c) => c.body.text)).toEqual([
      alert(copy(asked.reply, { id: bob })),
      alert(copy(asked.close, { id: bob })),
      alert(asked.list),
      alert(asked.usage),
    ]);
    // PJ's phone gets nothing: that would be a hint to whoever holds or spoofs the number.
    expect((await drainOutbox(h.composed.store)).filter((o) => o.destination.kind === 'advisorSms')).toEqual([]);

    const logs = h.logs.join('');
    expect(ignored(/no ADVISOR_COMMAND_PIN or a wrong one/)).toHaveLength(5);
    expect(logs).toContain(`"conversationId":${bob}`);
    expect(logs).not.toContain(WRONG);
    expect(logs).not.toContain('hello, this is PJ');
    expect(everythingKept(h.databasePath)).not.toContain(WRONG);
  });

  it('after 5 wrong PINs runs nothing from the number, not even with the right PIN', async () => {
    for (let i = 0; i < 5; i++) expect(await text(`${WRONG} ${bob} close`)).toEqual([]);
    expect(await text(`${PIN} ${bob} close`)).toEqual([]);
    expect((await h.composed.store.get(bob))?.status).toBe('waiting');
    expect(ignored(/too many wrong PINs/)).toHaveLength(1);
    await h.waitFor('chat.postMessage', 5);
    expect(deskAlerts()).toHaveLength(5);
  });

  it('ignores more than 20 commands a minute', async () => {
    for (let i = 0; i < 20; i++) expect(await text(`${PIN} list`)).toHaveLength(1);
    expect(await text(`${PIN} ${bob} close`)).toEqual([]);
    expect((await h.composed.store.get(bob))?.status).toBe('waiting');
    expect(ignored(/more commands than allowed per minute/)).toHaveLength(1);
    expect(h.logs.join('')).not.toContain(PIN);
    expect(deskAlerts()).toEqual([]);
  });
});
