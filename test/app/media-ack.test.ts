import { describe, expect, it } from 'vitest';
import { decideInbound } from '../../src/app/decide-inbound.js';
import { POINTER_QUIET_MS } from '../../src/core/conversation-machine.js';
import type { InboundMedia } from '../../src/core/media.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { botSettings } from '../support/settings.js';

const MINUTE = 60_000;
const settings = botSettings({ botAnswersKeywords: true, handoff: { notifySms: '+18585550199' } });
const PICTURE: InboundMedia = { url: 'https://api.twilio.com/m/ME1', contentType: 'image/jpeg' };

/** A client texting the bot, each message `minutes` after the previous one. */
function chat() {
  let saved: SavedConversation | null = null;
  let now = Date.UTC(2026, 10, 30, 17, 0);
  let count = 0;
  return (text: string, media?: InboundMedia[], minutes = 1) => {
    now += minutes * MINUTE;
    const participant = '+14155550101';
    const message = {
      channel: 'sms' as const,
      participant,
      conversationKey: participant,
      provider: 'test',
      externalId: `m${++count}`,
      text,
      receivedAt: now,
    };
    const decision = decideInbound(settings, media ? { ...message, media } : message, saved);
    saved = { id: 1, machineVersion: decision.machineVersion, snapshot: decision.snapshot };
    return decision;
  };
}

const says = (decision: ReturnType<ReturnType<typeof chat>>) => decision.says.map((say) => say.message);

describe('a picture, whatever the conversation is doing', () => {
  it('after a verdict: acknowledged, not a follow-up for PJ', () => {
    const send = chat();
    send('we make a CRM for dentists');
    expect(send('their infosec team').summary.verdict).toBe('soc2');
    const turn = send('', [PICTURE]);
    expect(says(turn)).toEqual(['mediaAck']);
    expect(turn.summary).toMatchObject({ status: 'bot', flags: [] });
  });

  it('while waiting for PJ: acknowledged as the one pointer line per half hour, and mirrored to him with its link', () => {
    const send = chat();
    send('hi');
    expect(send('how much does a SOC 2 cost?').summary.status).toBe('waiting');
    const soon = send('', [PICTURE]);
    expect(says(soon)).toEqual([]);
    expect(soon.outbox).toContainEqual({
      destination: { kind: 'advisorSms', to: '+18585550199' },
      payload: { type: 'notice', notice: { kind: 'clientMessage', text: '', media: [PICTURE] } },
    });
    expect(says(send('', [PICTURE], POINTER_QUIET_MS / MINUTE))).toEqual(['mediaAck']);
    expect(says(send('', [PICTURE]))).toEqual([]);
  });

  it('once opted out: nothing, and a caption that opts out gets the confirmation alone', () => {
    const send = chat();
    send('hi');
    expect(says(send('please stop texting me', [PICTURE]))).toEqual(['optOutConfirm']);
    expect(says(send('', [PICTURE]))).toEqual([]);
  });

  it('never counts a picture as a miss, so the second empty answer after it is still the first miss', () => {
    const send = chat();
    send('hi');
    send('', [PICTURE]);
    send('', [PICTURE]);
    expect(says(send('hmm'))).toEqual(['reaskProduct']);
    expect(send('', [PICTURE]).summary.flags).toEqual([]);
  });
});
