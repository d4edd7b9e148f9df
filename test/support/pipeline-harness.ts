import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { captureLogs } from './logs.js';
import { signTwilio } from './sign-twilio.js';
import { ADMIN_TOKEN, AUTH_TOKEN, BOT_NUMBER, PUBLIC_BASE_URL, tempDatabasePath } from './sms-harness.js';
import { shippedFlows } from './flows.js';

/** A real server whose clock the test sets: conversations driven by signed SMS at chosen times. */
export interface PipelineHarness {
  baseUrl: string;
  composed: Composed;
  databasePath: string;
  logs: string[];
  /** Epoch ms the bot reads as now; tests move it. */
  clock: { now: number };
  /** A signed Twilio webhook from `from` at the current clock; resolves when the bot answered. */
  text(from: string, body: string): Promise<void>;
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function startPipelineHarness(
  env: Record<string, string> = {},
  startAt = Date.UTC(2026, 0, 5, 17),
): Promise<PipelineHarness> {
  const databasePath = env.DATABASE_PATH ?? tempDatabasePath();
  const config = parseConfig({
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    PUBLIC_BASE_URL,
    ADMIN_TOKEN,
    DATABASE_URL: `file:${databasePath}`,
    TZ: 'America/Los_Angeles',
    LOG_LEVEL: 'info',
    ...env,
  });
  const { logger, lines: logs } = captureLogs('info');
  const clock = { now: startAt };
  const composed = compose(config, { logger, now: () => clock.now, flows: shippedFlows() });
  const server: Server = await new Promise((resolve) => {
    const s = composed.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  return {
    baseUrl,
    composed,
    databasePath,
    logs,
    clock,
    async text(from, body) {
      const params = {
        MessageSid: `SM${randomBytes(16).toString('hex')}`,
        AccountSid: `AC${'0'.repeat(32)}`,
        From: from,
        To: BOT_NUMBER,
        Body: body,
        NumMedia: '0',
      };
      const res = await fetch(`${baseUrl}/twilio/sms`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      await res.text();
    },
    get: (path) => fetch(`${baseUrl}/admin/api${path}`, { headers: auth }),
    post: (path, body) =>
      fetch(`${baseUrl}/admin/api${path}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.background.stop();
      await composed.store.close();
    },
  };
}
