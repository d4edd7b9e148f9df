import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { createSchemas, describePostgres } from '../support/postgres.js';

// Slack Socket Mode on two instances sharing one PostgreSQL database (issue 10): each instance
// holds its own connection, Slack sends each event on one of them, and a redelivery after a
// missed ack may arrive on the other at the same moment: the stored event_id answers it once.

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

const envelope = (envelopeId: string, eventId: string, text: string, ts: string) =>
  JSON.stringify({
    envelope_id: envelopeId,
    type: 'events_api',
    accepts_response_payload: false,
    payload: {
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: eventId,
      event_time: 1_700_000_000,
      event: { type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text, ts },
    },
  });

describePostgres('Slack Socket Mode on two instances', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  afterAll(() => schemas.dropAll());

  it('answers an event redelivered on the other instance once', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/link' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const sockets: WebSocket[] = [];
    const acks: string[] = [];
    server.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data) =>
        acks.push(String((JSON.parse(String(data)) as { envelope_id?: string }).envelope_id)),
      );
      socket.send(JSON.stringify({ type: 'hello', num_connections: sockets.length, debug_info: { host: 'test' } }));
    });
    const posts: Array<Record<string, string>> = [];
    nock(SLACK_API)
      .persist()
      .post('/api/auth.test')
      .reply(...json({ ok: true, team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT' }));
    nock(SLACK_API)
      .persist()
      .post('/api/apps.connections.open')
      .reply(...json({ ok: true, url: `ws://127.0.0.1:${port}/link` }));
    nock(SLACK_API)
      .persist()
      .post('/api/chat.postMessage')
      .reply((_uri, body) => {
        posts.push(Object.fromEntries(new URLSearchParams(String(body))));
        return json({ ok: true, channel: 'D1', ts: `2.${posts.length}` });
      });

    const config = parseConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      DATABASE_URL: await schemas.fresh(),
    });
    const instances: Composed[] = [0, 1].map(() =>
      compose(config, { logger: createLogger('silent'), slackRetry: { retries: 0 } }),
    );
    try {
      for (const instance of instances) await instance.slack?.start();
      expect(sockets).toHaveLength(2);
      const [a, b] = sockets;
      // Delivered on one connection, and again (a missed ack, as Slack saw it) on the other at once.
      a?.send(envelope('env-1', 'Ev1', 'we run payroll for dentists and their CFO asked', '1.1'));
      b?.send(envelope('env-2', 'Ev1', 'we run payroll for dentists and their CFO asked', '1.1'));
      await waitFor('both acks', () => (acks.includes('env-1') && acks.includes('env-2') ? true : undefined));
      await waitFor('the answer', () => posts[0]);
      // The next event lands on the other instance and continues the same conversation.
      b?.send(envelope('env-3', 'Ev2', 'thanks!', '1.2'));
      await waitFor('the third ack', () => (acks.includes('env-3') ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(posts.filter((post) => post.text?.includes('You need SOC 1.'))).toHaveLength(1);
      const [conversation] = (await instances[0]?.store.list({ channel: 'slack' })) ?? [];
      const detail = await instances[1]?.store.get(conversation?.id ?? 0);
      expect(detail?.transcript.filter((line) => line.direction === 'in').map((line) => line.text)).toEqual([
        'we run payroll for dentists and their CFO asked',
        'thanks!',
      ]);
    } finally {
      for (const instance of instances) await instance.slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const instance of instances) await instance.store.close();
    }
  });
});
