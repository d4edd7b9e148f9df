import { describe, expect, it } from 'vitest';
import { decideInbound } from '../../src/app/decide-inbound.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { persist, revive, stepConversation } from '../../src/core/step-conversation.js';
import { flow } from '../support/copy.js';
import { botSettings } from '../support/settings.js';

// A sender's opt-out outlives their conversation (retention, erasure): with nothing usable saved,
// a sender the store still holds as opted out starts opted out, and only START opens it again.

const settings = (botAnswersKeywords: boolean) =>
  botSettings({
    botAnswersKeywords,
    handoff: { notifySms: '+18585550199', desk: true, idleMs: 60_000, remindMs: 60_000 },
  });
const text = (body: string): InboundMessage => ({
  channel: 'sms',
  participant: '+14155550101',
  conversationKey: '+14155550101',
  provider: 'twilio',
  externalId: `SM${body}`,
  text: body,
  receivedAt: Date.UTC(2026, 0, 1),
});

describe('a sender whose opt-out was kept', () => {
  it.each(['hi', 'we run payroll, their CFO asked', 'can I talk to a person?', 'how much?', 'help', 'STOP'])(
    'gets nothing and tells PJ nothing for %j',
    (body) => {
      for (const bot of [false, true]) {
        const decision = decideInbound(settings(bot), text(body), null, () => true);
        expect(decision.replies).toEqual([]);
        expect(decision.outbox).toEqual([]);
        expect(decision.summary.status).toBe('opted_out');
        expect(decision.notes?.map((note) => note.text)).toEqual([expect.stringMatching(/opted out earlier/)]);
      }
    },
  );

  it('opens again on START, quietly when Twilio answered it', () => {
    const quiet = decideInbound(settings(false), text('START'), null, () => true);
    expect(quiet).toMatchObject({ replies: [], summary: { status: 'bot' } });
    const spoken = decideInbound(settings(true), text('START'), null, () => true);
    expect(spoken.summary.status).toBe('bot');
    expect(spoken.replies[0]).toContain(flow.optInConfirm);
  });

  it("also starts opted out when the saved conversation is an older machine's and starts over", () => {
    const old: SavedConversation = { id: 1, machineVersion: -1, snapshot: {} };
    expect(decideInbound(settings(false), text('hi'), old, () => true)).toMatchObject({
      replies: [],
      summary: { status: 'opted_out' },
    });
  });

  it('follows the saved conversation when there is one, and a sender never opted out as before', () => {
    const open: SavedConversation = {
      id: 1,
      ...persist(stepConversation(revive(null), { type: 'user.greeted', at: 0 }).next),
    };
    const decision = decideInbound(settings(false), text('we run payroll'), open, () => true);
    expect(decision.summary.status).toBe('bot');
    expect(decision.notes).toEqual([]);
    expect(decideInbound(settings(false), text('hi'), null, () => false).replies).not.toEqual([]);
  });
});
