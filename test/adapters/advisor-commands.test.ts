import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import {
  createAdvisorCommandRunner,
  parseAdvisorCommand,
  runAdvisorCommand,
  type AdvisorCommand,
  type AdvisorCommandDeps,
} from '../../src/adapters/twilio/advisor-commands.js';
import type { ConversationRecord } from '../../src/core/conversation.js';
import type { AdvisorActions, HandleInbound } from '../../src/core/driving-ports.js';
import type { ConversationFilter, Store, OutboxItem } from '../../src/core/ports.js';
import { isGsm7 } from '../../src/core/sms-segments.js';
import { ADVISOR as advisor, by, copy, flow } from '../support/copy.js';
import { botSettings } from '../support/settings.js';

const t = flow.advisor.commands;
const refused = flow.advisor.refused;

const settings = botSettings({ handoff: { notifySms: '+18585550199' } });

describe('parseAdvisorCommand', () => {
  it.each<[string, AdvisorCommand]>([
    ['list', { kind: 'list' }],
    ['  LIST ', { kind: 'list' }],
    ['List', { kind: 'list' }],
    ['42 hello there', { kind: 'reply', id: 42, text: 'hello there' }],
    ['#42 hello', { kind: 'reply', id: 42, text: 'hello' }],
    ['42: hello', { kind: 'reply', id: 42, text: 'hello' }],
    ['  7   spaced out  ', { kind: 'reply', id: 7, text: 'spaced out' }],
    ['42 line one\nline two', { kind: 'reply', id: 42, text: 'line one\nline two' }],
    ['42 back', { kind: 'back', id: 42 }],
    ['#42 BACK', { kind: 'back', id: 42 }],
    ['42 Back ', { kind: 'back', id: 42 }],
    ['42 close', { kind: 'close', id: 42 }],
    ['#9 CLOSE', { kind: 'close', id: 9 }],
    ['42 back soon', { kind: 'reply', id: 42, text: 'back soon' }],
    ['42 closed it', { kind: 'reply', id: 42, text: 'closed it' }],
    ['42', { kind: 'usage' }],
    ['#42   ', { kind: 'usage' }],
    ['', { kind: 'usage' }],
    ['   ', { kind: 'usage' }],
    ['nonsense', { kind: 'usage' }],
    ['list all', { kind: 'usage' }],
    ['back 42', { kind: 'usage' }],
    ['42hello', { kind: 'usage' }],
    ['#', { kind: 'usage' }],
    ['-3 hi', { kind: 'usage' }],
    ['1234567890 hi', { kind: 'usage' }],
  ])('%j', (text, expected) => {
    expect(parseAdvisorCommand(text)).toEqual(expected);
  });
});

describe('runAdvisorCommand', () => {
  let store: Store;
  let actions: AdvisorActions;
  let handle: HandleInbound;
  let deps: AdvisorCommandDeps;
  let clock = 1_000;
  let sid = 0;

  const text = async (from: string, body: string) =>
    (
      await handle({
        channel: 'sms',
        participant: from,
        conversationKey: from,
        provider: 'test',
        externalId: `m${++sid}`,
        text: body,
        receivedAt: ++clock,
      })
    ).conversationId;
  const run = (body: string) => createAdvisorCommandRunner(deps)(body);
  /** Everything queued so far, marked sent (a claim skips items queued behind an unsent one). */
  const outbox = async (): Promise<OutboxItem[]> => {
    const all: OutboxItem[] = [];
    for (;;) {
      const claimed = await store.claimOutbox(Number.MAX_SAFE_INTEGER, 60_000, 100);
      if (claimed.length === 0) return all;
      for (const item of claimed) await store.markOutboxSent(item.id, `SM${item.id}`, ++clock);
      all.push(...claimed);
    }
  };

  beforeEach(() => {
    store = createSqliteConversationStore(':memory:');
    handle = createInboundHandler(store, settings);
    actions = createAdvisorActions(store, settings, () => ++clock);
    deps = { store, actions, flow: settings.flow, advisor };
  });
  afterEach(async () => {
    await store.close();
  });

  it('lists who is waiting or with PJ, newest first, with masked numbers', async () => {
    expect(await run('list')).toBe(copy(t.listEmpty));
    const alice = await text('+14155550101', 'can I talk to a real person?');
    await text('+14155550102', 'we run payroll');
    const carol = await text('+14155550103', 'how much does it cost?');
    await actions.takeOver(alice, 'console');
    const answer = await run('list');
    const items = [
      copy(t.listItemFlagged, { id: alice, where: t.withYou, reasons: 'human', sender: '+1415***0101' }),
      copy(t.listItemFlagged, { id: carol, where: t.waiting, reasons: 'cost', sender: '+1415***0103' }),
    ];
    expect(answer).toBe(copy(t.list, { items: items.join('; ') }));
    expect(answer).not.toContain('0102');
    expect(isGsm7(answer)).toBe(true);
  });

  it('shortens a long list', async () => {
    for (let i = 0; i < 11; i++)
      await text(`+1415555${String(200 + i).padStart(4, '0')}`, 'can I talk to a real person?');
    const answer = await run('list');
    expect(answer.split('; ')).toHaveLength(9);
    expect(answer.endsWith(`; ${copy(t.more, { count: 3 })}`)).toBe(true);
  });

  it('replies to a client, taking the conversation over', async () => {
    const id = await text('+14155550101', 'can I talk to a real person?');
    await outbox();
    expect(await run(`${id} Hi, PJ here. Free at 3pm?`)).toBe(copy(t.sent, { id }));
    const detail = await store.get(id);
    expect(detail?.status).toBe('human');
    expect(detail?.transcript.slice(-2)).toMatchObject([
      { direction: 'event', author: 'advisor', text: copy(flow.transcript.tookOver, { by: by('sms') }) },
      { direction: 'out', author: 'advisor', text: 'Hi, PJ here. Free at 3pm?' },
    ]);
    const sent = await outbox();
    expect(sent.filter((o) => o.destination.kind === 'client').map((o) => o.payload)).toEqual([
      { type: 'text', text: 'Hi, PJ here. Free at 3pm?', author: 'advisor' },
    ]);
  });

  it('hands back and closes, and says so', async () => {
    const id = await text('+14155550101', 'can I talk to a real person?');
    await run(`${id} hello`);
    expect(await run(`#${id} BACK`)).toBe(copy(t.handedBack, { id }));
    expect((await store.get(id))?.status).toBe('bot');
    expect(await run(`${id} back`)).toBe(copy(refused.not_with_advisor, { id }));
    expect(await run(`${id} close`)).toBe(copy(t.closed, { id }));
    expect(await run(`${id} close`)).toBe(copy(t.alreadyClosed, { id }));
    expect(await run(`${id} hello again`)).toBe(copy(refused.closed, { id }));
    expect(await run(`${id} back`)).toBe(copy(refused.closed, { id }));
  });

  it('refuses to text a client who opted out, and names an unknown number', async () => {
    const id = await text('+14155550101', 'can I talk to a real person?');
    await text('+14155550101', 'STOP');
    await outbox();
    expect(await run(`${id} hello?`)).toBe(copy(refused.opted_out, { id }));
    expect(await outbox()).toEqual([]);
    expect(await run('999 hello')).toBe(copy(refused.not_found, { id: 999 }));
    expect(await run('999 back')).toBe(copy(refused.not_found, { id: 999 }));
    expect(await run('999 close')).toBe(copy(refused.not_found, { id: 999 }));
  });

  it('answers anything else with a one-line usage in GSM-7', async () => {
    const answer = await runAdvisorCommand({ kind: 'usage' }, deps);
    expect(answer).toBe(copy(t.usage, { id: 'N' }));
    expect(answer).not.toContain('\n');
    expect(await run('what?')).toBe(answer);
  });

  it('keeps every answer GSM-7 even when a stored value is not', async () => {
    const odd: ConversationRecord = {
      id: 5,
      channel: 'slack',
      participant: 'T01:U\u00fcber\u2019s',
      conversationKey: 'T01:U01',
      status: 'waiting',
      awaiting: null,
      answers: { product: null, asker: null },
      verdict: null,
      side: 'client',
      flags: ['human'],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const slack = { list: async (filter: ConversationFilter) => (filter.status === 'waiting' ? [odd] : []) };
    const answer = await runAdvisorCommand({ kind: 'list' }, { ...deps, store: slack });
    expect(isGsm7(answer)).toBe(true);
    expect(answer).toContain(copy(t.listItemFlagged, { id: 5, where: t.waiting, reasons: 'human', sender: '' }).trim());
  });
});
