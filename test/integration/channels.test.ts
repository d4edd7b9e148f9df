import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/adapters/flow-files/load-flows.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { createOutboxSenders } from '../../src/compose.js';
import { CHANNEL_IDS, CHANNELS } from '../../src/core/channels.js';
import { ACCOUNT_SID, BOT_FROM, REST_AUTH_TOKEN } from '../support/twilio-rest.js';

const { flow } = loadFlows();
const advisor = { name: 'PJ', phone: '+18584618054' };
const handoff = { notifySms: '+18585550199', deskChannel: 'C0DESK', idleMs: 1, remindMs: 1 };
const twilioRest = { accountSid: ACCOUNT_SID, authToken: REST_AUTH_TOKEN, from: BOT_FROM };

describe('every channel in CHANNELS', () => {
  it('has a label for PJ\'s surfaces', () => {
    for (const id of CHANNEL_IDS) expect(CHANNELS[id].label, id).toMatch(/^\S/);
    expect(CHANNEL_IDS).toEqual(Object.keys(CHANNELS));
  });

  it('has a ClientSender in the composed registry when everything is configured', () => {
    const store = createSqliteConversationStore(':memory:');
    const slack = new webApi.WebClient('xoxb-test-token');
    const senders = createOutboxSenders({ twilioRest, handoff }, slack, { store, flow, advisor });
    for (const id of CHANNEL_IDS) expect(senders.clients[id], id).toEqual({ send: expect.any(Function) });
    expect(Object.keys(senders.clients).sort()).toEqual([...CHANNEL_IDS].sort());
  });

  it('says what to set when its sending is off', () => {
    const store = createSqliteConversationStore(':memory:');
    const senders = createOutboxSenders({ twilioRest: null, handoff }, null, { store, flow, advisor });
    for (const id of CHANNEL_IDS) expect(senders.clients[id], id).toEqual({ off: expect.stringMatching(/: set [A-Z_]+/) });
  });
});
