import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { tempDatabasePath } from '../support/sms-harness.js';

// Socket Mode end to end: Bolt's SocketModeClient asks `apps.connections.open` (nock) for a URL,
// opens an undici WebSocket to our `ws` server on loopback, gets `hello`, then an Events API envelope.
// undici's WebSocket does not go through nock; test/setup.ts lets loopback connections through.

const SLACK_API = 'https://slack.com';

function json(body: object): [number, string, Record<string, string>] {
  const text = JSON.stringify(body);
  return [200, text, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) }];
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Harness {
  composed: Composed;
  server: WebSocketServer;
  sockets: WebSocket[];
  received: unknown[];
  closed: number;
  posts: Array<Record<string, string>>;
  connectionRequests: number;
}

let h: Harness | undefined;

async function start(): Promise<Harness> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/link' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  const harness: Harness = {
    composed: undefined as unknown as Composed,
    server,
    sockets: [],
    received: [],
    closed: 0,
    posts: [],
    connectionRequests: 0,
  };
  server.on('connection', (socket) => {
    harness.sockets.push(socket);
    socket.on('message', (data) => harness.received.push(JSON.parse(String(data))));
    socket.on('close', () => (harness.closed += 1));
  });

  nock(SLACK_API)
    .persist()
    .post('/api/auth.test')
    .reply(
      ...json({
        ok: true,
        url: 'https://t1.slack.com/',
        team: 'T',
        team_id: 'T1',
        user: 'soc',
        user_id: 'UBOT',
        bot_id: 'BBOT',
      }),
    );
  nock(SLACK_API)
    .persist()
    .post('/api/apps.connections.open')
    .reply(() => {
      harness.connectionRequests += 1;
      return json({ ok: true, url: `ws://127.0.0.1:${port}/link` });
    });
  nock(SLACK_API)
    .persist()
    .post('/api/chat.postMessage')
    .reply((_uri, body) => {
      harness.posts.push(Object.fromEntries(new URLSearchParams(String(body))));
      return json({ ok: true, channel: 'D1', ts: `2.${harness.posts.length}` });
    });

  const config = parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_APP_TOKEN: 'xapp-test',
    DATABASE_URL: `file:${tempDatabasePath()}`,
  });
  harness.composed = compose(config, { logger: createLogger('silent'), slackRetry: { retries: 0 } });
  return harness;
}

afterEach(async () => {
  if (!h) return;
  const { composed, server } = h;
  h = undefined;
  await composed.slack?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await composed.store.close();
});

describe('Slack in Socket Mode', () => {
  it('connects over a WebSocket, acks an events_api envelope and answers the DM', async () => {
    h = await start();
    const harness = h;
    const slack = harness.composed.slack;
    expect(slack).not.toBeNull();
    expect(slack?.router).toBeNull();

    // Slack's side: greet every new connection, then deliver one DM.
    const envelopeId = 'env-1';
    harness.server.on('connection', (socket) => {
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'test', approximate_connection_time: 3600 },
        }),
      );
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type: 'events_api',
          accepts_response_payload: false,
          payload: {
            type: 'event_callback',
            team_id: 'T1',
            api_app_id: 'A1',
            event_id: 'Ev1',
            event_time: 1_700_000_000,
            event: {
              type: 'message',
              channel_type: 'im',
              channel: 'D1',
              user: 'U1',
              text: 'we run payroll for dentists and their CFO asked',
              ts: '1.1',
            },
          },
        }),
      );
    });

    // start() resolves once the client has received `hello`.
    await slack?.start();
    expect(harness.connectionRequests).toBe(1);
    expect(harness.sockets).toHaveLength(1);

    const ack = await waitFor('the ack of the envelope', () =>
      harness.received.find((m) => (m as { envelope_id?: string }).envelope_id === envelopeId),
    );
    expect(ack).toEqual({ envelope_id: envelopeId, payload: {} });

    const post = await waitFor('chat.postMessage', () => harness.posts[0]);
    expect(post.text).toContain('You need SOC 1.');
    // The reply goes to the DM the message came from.
    expect(post.channel).toBe('D1');
    expect(post.thread_ts).toBeUndefined();
    expect(JSON.parse(post.blocks ?? '[]')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'section',
          text: expect.objectContaining({ text: expect.stringContaining('*You need SOC 1.*') }),
        }),
      ]),
    );
    expect(harness.posts).toHaveLength(1);

    // stop() only starts the close handshake; wait until our server has seen the socket close.
    await slack?.stop();
    await waitFor('the client to close the socket', () => (harness.closed === 1 ? true : undefined));
    expect(harness.connectionRequests).toBe(1);
  });
});
