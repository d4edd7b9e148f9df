import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { slackRequestGuard, type SlackEventHandler } from '../../src/adapters/slack/slack-request-guard.js';
import { captureLogs } from '../support/logs.js';
import { signSlack } from '../support/sign-slack.js';

const SECRET = 'guard-test-signing-secret';
const TEAM = 'T0TEAM';
let close: (() => void) | undefined;
afterEach(() => close?.());

/** The guard in front of a stand-in for Bolt's receiver, which answers "bolt". */
async function start(onEvent?: SlackEventHandler): Promise<string> {
  const app = express();
  const { logger } = captureLogs('info');
  app.use('/slack', slackRequestGuard({ signingSecret: SECRET, logger, ...(onEvent && { onEvent }) }));
  app.use('/slack', (_req, res) => void res.send('bolt'));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  close = () => server.close();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

function post(url: string, body: string, type: string, headers: Record<string, string> = {}) {
  const ts = Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': type,
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': signSlack(SECRET, ts, body),
      ...headers,
    },
    body,
  });
}

const event = {
  type: 'event_callback',
  team_id: TEAM,
  event_id: 'Ev1',
  event: { type: 'message', channel_type: 'im', channel: 'DU1', user: 'U1', text: 'hi', ts: '1.1' },
};
const command = new URLSearchParams({ command: '/soc', user_id: 'U1', team_id: TEAM, trigger_id: 't1' }).toString();

describe('the Slack request guard', () => {
  it('acknowledges a checked event itself and hands it on with Slack retry headers', async () => {
    const seen: Array<Parameters<SlackEventHandler>> = [];
    const url = await start((...args) => seen.push(args));
    const res = await post(url, JSON.stringify(event), 'application/json', {
      'X-Slack-Retry-Num': '2',
      'X-Slack-Retry-Reason': 'http_timeout',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(seen).toEqual([[event, { retryNum: 2, retryReason: 'http_timeout' }]]);

    const first = await post(url, JSON.stringify({ ...event, event_id: 'Ev2' }), 'application/json');
    expect(first.status).toBe(200);
    expect(seen[1]?.[1]).toEqual({});
  });

  it("leaves commands to Bolt's receiver, and events too without a handler", async () => {
    const seen: unknown[] = [];
    const url = await start((body) => seen.push(body));
    expect(await (await post(url, command, 'application/x-www-form-urlencoded')).text()).toBe('bolt');
    expect(seen).toEqual([]);
    close?.();
    const plain = await start();
    expect(await (await post(plain, JSON.stringify(event), 'application/json')).text()).toBe('bolt');
  });

  it('hands on nothing it refused or does not handle', async () => {
    const seen: unknown[] = [];
    const url = await start((body) => seen.push(body));
    const unsigned = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    const unknown = await post(
      url,
      JSON.stringify({ ...event, event: { type: 'reaction_added' } }),
      'application/json',
    );
    expect(unknown.status).toBe(200);
    expect(seen).toEqual([]);
  });
});
