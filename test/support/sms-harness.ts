import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { captureLogs } from './logs.js';
import { signTwilio } from './sign-twilio.js';
import { shippedFlows } from './flows.js';

export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123';
export const PUBLIC_BASE_URL = 'https://bot.example.test';
export const BOT_NUMBER = '+15005550006';

export function newMessageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

export function tempDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'soc-advisor-')), 'test.db');
}

/** A real server on an ephemeral loopback port, with captured JSON logs. */
export interface SmsHarness {
  baseUrl: string;
  composed: Composed;
  logs: string[];
  databasePath: string;
  /** Sends a signed webhook as Twilio would. */
  text(from: string, body: string, sid?: string): Promise<Response>;
  post(path: string, params: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  admin(path: string, token?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startSmsHarness(env: Record<string, string> = {}): Promise<SmsHarness> {
  const databasePath = env.DATABASE_PATH ?? tempDatabasePath();
  const config = parseConfig({
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    PUBLIC_BASE_URL,
    ADMIN_TOKEN,
    DATABASE_URL: `file:${databasePath}`,
    LOG_LEVEL: 'info',
    // This harness runs on the real clock: by default (8-21 in the client's zone) the bot's own
    // texts would wait at night, and what a test sees would depend on the hour it runs at.
    // Quiet hours are tested with a clock of their own (quiet-hours-sms.test.ts).
    QUIET_HOURS: 'off',
    ...env,
  });
  const { logger, lines: logs } = captureLogs(config.logLevel);
  const composed = compose(config, { logger, flows: shippedFlows() });
  const server: Server = await new Promise((resolve) => {
    const s = composed.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const post = (path: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(baseUrl + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params).toString(),
    });

  return {
    baseUrl,
    composed,
    logs,
    databasePath,
    post,
    text(from, body, sid = newMessageSid()) {
      const params = {
        MessageSid: sid,
        AccountSid: `AC${'0'.repeat(32)}`,
        From: from,
        To: BOT_NUMBER,
        Body: body,
        NumMedia: '0',
      };
      return postSignedSms(baseUrl, params);
    },
    admin(path, token = ADMIN_TOKEN) {
      return fetch(`${baseUrl}/admin/api${path}`, { headers: { Authorization: `Bearer ${token}` } });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.decideThread?.close();
      await composed.store.close();
    },
  };
}

/** POSTs `params` to `base`/twilio/sms as Twilio would: a form signed with AUTH_TOKEN over PUBLIC_BASE_URL. */
export function postSignedSms(base: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${base}/twilio/sms`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** The texts of the <Message> elements in a TwiML response, unescaped. */
export function messagesOf(twiml: string): string[] {
  return [...twiml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

/** Texts a message and returns the bot's reply texts. */
export async function replyTo(harness: SmsHarness, from: string, body: string, sid?: string): Promise<string[]> {
  const res = await harness.text(from, body, sid);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/xml')) throw new Error('webhook did not answer TwiML');
  return messagesOf(await res.text());
}
