import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { WebLimits } from '../../src/adapters/web/web-routes.js';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { captureLogs } from './logs.js';
import { ADMIN_TOKEN, tempDatabasePath } from './sms-harness.js';
import { shippedFlows } from './flows.js';

/** A web chat line as the API answers it. */
export interface WebLineJson {
  id: number;
  at: string;
  from: 'visitor' | 'bot' | 'advisor';
  text: string;
  choices?: Array<{ label: string; value: string }>;
  card?: {
    headline: string;
    reason: string;
    advice: string[];
    handoff: string;
    links: Array<{ label: string; href: string }>;
  };
  askContact?: true;
  leftContact?: true;
}

/** The bot as compose builds it with no credentials, on a loopback port, with captured logs. */
export interface WebHarness {
  baseUrl: string;
  composed: Composed & { web: NonNullable<Composed['web']> };
  logs: string[];
  databasePath: string;
  /** POST /web/sessions; throws unless 201. */
  newSession(headers?: Record<string, string>): Promise<{ session: string; greeting: WebLineJson[] }>;
  /** POST /web/messages as JSON with the session as Bearer. */
  post(session: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** POST /web/messages and the replies; throws unless 200. */
  say(session: string, body: { id?: string; text?: string; choice?: string }): Promise<WebLineJson[]>;
  history(session: string): Promise<{ greeting: WebLineJson[]; messages: WebLineJson[] }>;
  /** PJ's reply through the admin API, then one outbox round. */
  advisorReply(conversationId: number, text: string): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
/** A message id as a browser makes one. */
export const messageId = (): string => `m-${Date.now().toString(36)}-${(counter += 1)}`;

export async function startWebHarness(
  env: Record<string, string> = {},
  web: { limits?: Partial<WebLimits>; pollMs?: number } = {},
): Promise<WebHarness> {
  const databasePath = env.DATABASE_PATH ?? tempDatabasePath();
  const config = parseConfig({ ADMIN_TOKEN, DATABASE_URL: `file:${databasePath}`, LOG_LEVEL: 'info', ...env });
  const { logger, lines: logs } = captureLogs('info');
  const composed = compose(config, { logger, web, flows: shippedFlows() });
  const chat = composed.web;
  if (chat === null) throw new Error('the web chat is off: its store (DATABASE_URL) does not keep it');
  const server: Server = await new Promise((resolve) => {
    const s = composed.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (session: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/web/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  return {
    baseUrl,
    composed: { ...composed, web: chat },
    logs,
    databasePath,
    post,
    async newSession(headers = {}) {
      const res = await fetch(`${baseUrl}/web/sessions`, { method: 'POST', headers });
      if (res.status !== 201) throw new Error(`POST /web/sessions answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { session: string; greeting: WebLineJson[] };
    },
    async say(session, body) {
      const res = await post(session, { id: messageId(), ...body });
      if (res.status !== 200) throw new Error(`POST /web/messages answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { replies: WebLineJson[] }).replies;
    },
    async history(session) {
      const res = await fetch(`${baseUrl}/web/messages`, { headers: { Authorization: `Bearer ${session}` } });
      if (res.status !== 200) throw new Error(`GET /web/messages answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { greeting: WebLineJson[]; messages: WebLineJson[] };
    },
    async advisorReply(conversationId, text) {
      const res = await fetch(`${baseUrl}/admin/api/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      if (res.status !== 200) throw new Error(`admin reply answered ${res.status}: ${await res.text()}`);
      await composed.outbox.tick();
    },
    async close() {
      chat.closeStreams();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await composed.store.close();
    },
  };
}

/** One Server-Sent Event as the stream sent it. */
export interface StreamEvent {
  id: string | null;
  data: string;
}

/**
 * Reads GET /web/events until `until` holds for the events so far (or `timeoutMs` passes), then
 * drops the connection; resolves to the events read.
 */
export async function readStream(
  url: string,
  until: (events: StreamEvent[]) => boolean,
  options: { headers?: Record<string, string>; timeoutMs?: number; onOpen?: () => Promise<void> | void } = {},
): Promise<StreamEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? 5000);
  const events: StreamEvent[] = [];
  try {
    const res = await fetch(url, { headers: options.headers ?? {}, signal: abort.signal });
    if (res.status !== 200 || res.body === null)
      throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
    await options.onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
        if (data.length === 0) continue;
        const id = lines.find((l) => l.startsWith('id: '))?.slice(4) ?? null;
        events.push({ id, data: data.join('\n') });
      }
      if (until(events)) break;
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}
