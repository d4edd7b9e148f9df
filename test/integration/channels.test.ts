import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { createWebClientSender } from '../../src/adapters/web/web-client-sender.js';
import { createWakeups } from '../../src/adapters/web/web-events-stream.js';
import { createOutboxSenders } from '../../src/compose.js';
import { CHANNEL_IDS, CHANNELS, type Channel } from '../../src/core/channels.js';
import { ACCOUNT_SID, BOT_FROM, REST_AUTH_TOKEN } from '../support/twilio-rest.js';
import { ADVISOR as advisor } from '../support/copy.js';
import { shippedFlows } from '../support/flows.js';

const { flow } = shippedFlows();
const handoff = { notifySms: '+18585550199', deskChannel: 'C0DESK', idleMs: 1, remindMs: 1 };
const twilioRest = { accountSid: ACCOUNT_SID, authToken: REST_AUTH_TOKEN, from: BOT_FROM };
/** Channels that need no credentials: the web chat stores lines its visitors' panels read. */
const ALWAYS_ON: Channel[] = ['web'];

describe('every channel in CHANNELS', () => {
  it("has a label for PJ's surfaces", () => {
    for (const id of CHANNEL_IDS) expect(CHANNELS[id].label, id).toMatch(/^\S/);
    expect(CHANNEL_IDS).toEqual(Object.keys(CHANNELS));
  });

  it('has a ClientSender in the composed registry when everything is configured', () => {
    const store = createSqliteConversationStore(':memory:');
    const slack = new webApi.WebClient('xoxb-test-token');
    const web = createWebClientSender(store, createWakeups(), Date.now);
    const senders = createOutboxSenders({ twilioRest, handoff }, slack, { store, flow, advisor }, web);
    for (const id of CHANNEL_IDS) expect(senders.clients[id], id).toEqual({ send: expect.any(Function) });
    expect(Object.keys(senders.clients).sort()).toEqual([...CHANNEL_IDS].sort());
  });

  it('says what to set when its sending is off', () => {
    const store = createSqliteConversationStore(':memory:');
    const web = createWebClientSender(store, createWakeups(), Date.now);
    const senders = createOutboxSenders({ twilioRest: null, handoff }, null, { store, flow, advisor }, web);
    for (const id of CHANNEL_IDS.filter((c) => !ALWAYS_ON.includes(c))) {
      expect(senders.clients[id], id).toEqual({ off: expect.stringMatching(/: set [A-Z_]+/) });
    }
    for (const id of ALWAYS_ON) expect(senders.clients[id], id).toEqual({ send: expect.any(Function) });
  });
});
