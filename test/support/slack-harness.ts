import nock from 'nock';
import { signSlack } from './sign-slack.js';
import { startSmsHarness, type SmsHarness } from './sms-harness.js';

export const SIGNING_SECRET = 'test-slack-signing-secret';
export const TEAM = 'T0TEAM';
export const BOT_USER = 'U0BOT';

/** What the bot sent to one Web API method: the parsed form fields, blocks decoded. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
}

export interface SlackHarness extends SmsHarness, SlackApi {
  /** Posts a raw body signed as Slack would (or with the given signature/timestamp). */
  send(body: string, contentType: string, headers?: Record<string, string>, timestamp?: number): Promise<Response>;
  event(event: Record<string, unknown>, eventId?: string, headers?: Record<string, string>): Promise<Response>;
  command(fields: Record<string, string>): Promise<Response>;
  action(payload: Record<string, unknown>): Promise<Response>;
}

function decode(body: unknown): Record<string, unknown> {
  const fields =
    typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, unknown>);
  for (const key of ['blocks', 'view']) {
    if (typeof fields[key] === 'string') fields[key] = JSON.parse(fields[key] as string);
  }
  return fields;
}

let eventCounter = 0;

/** The Web API as the bot sees it: every call recorded, and a way to wait for calls. */
export interface SlackApi {
  calls: SlackCall[];
  /** Resolves once `count` calls to `method` were made (fails after 10 s). */
  waitFor(method: string, count?: number): Promise<SlackCall[]>;
  /**
   * Forgets the calls so far and intercepts again: test/setup.ts removes every interceptor after
   * each test, so a harness shared by a file's tests calls this before each one.
   */
  rearm(): void;
}

/**
 * Intercepts https://slack.com/api/* with nock and records every call. auth.test names BOT_USER;
 * other methods answer ok with a fresh ts, unless `answer` returns a reply for the call:
 * a JSON body (answered 200) or [status, body, headers?].
 */
export function interceptSlackApi(answer: (call: SlackCall) => SlackApiAnswer | undefined = () => undefined): SlackApi {
  const calls: SlackCall[] = [];
  const intercept = () =>
    nock('https://slack.com')
      .persist()
      .post(/\/api\/.*/)
      .reply(function reply(uri, body) {
        const call = { method: uri.replace('/api/', ''), body: decode(body) };
        calls.push(call);
        const custom = answer(call);
        const [status, json, headers] = Array.isArray(custom)
          ? [custom[0], JSON.stringify(custom[1]), custom[2] ?? {}]
          : [
              200,
              JSON.stringify(
                custom ??
                  (call.method === 'auth.test'
                    ? { ok: true, user_id: BOT_USER, bot_id: 'B0BOT', team_id: TEAM }
                    : { ok: true, channel: 'D0DM', ts: `${1700000000 + calls.length}.000100` }),
              ),
              {},
            ];
        return [
          status,
          json,
          { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)), ...headers },
        ];
      });
  intercept();
  return {
    calls,
    rearm() {
      calls.length = 0;
      nock.cleanAll();
      intercept();
    },
    async waitFor(method, count = 1) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const matching = calls.filter((c) => c.method === method);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`expected ${count} ${method} call(s), saw ${JSON.stringify(calls)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

/** A scripted Web API answer: a JSON body (HTTP 200), or [status, body, headers?]. */
export type SlackApiAnswer = Record<string, unknown> | [number, Record<string, unknown>, Record<string, string>?];

/** Requests to a server's /slack/events, signed with SIGNING_SECRET as Slack would. */
export type SlackRequests = Pick<SlackHarness, 'send' | 'event' | 'command' | 'action'>;

export function slackRequests(baseUrl: string): SlackRequests {
  const send: SlackHarness['send'] = (body, contentType, headers = {}, timestamp = Math.floor(Date.now() / 1000)) =>
    fetch(`${baseUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'Content-Type': contentType,
        'X-Slack-Request-Timestamp': String(timestamp),
        'X-Slack-Signature': signSlack(SIGNING_SECRET, timestamp, body),
        ...headers,
      },
      body,
    });

  return {
    send,
    event(event, eventId = `Ev${++eventCounter}${Date.now()}`, headers = {}) {
      const body = JSON.stringify({
        token: 'legacy',
        team_id: TEAM,
        api_app_id: 'A0APP',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
      return send(body, 'application/json', headers);
    },
    command(fields) {
      const body = new URLSearchParams({
        team_id: TEAM,
        command: '/soc',
        text: '',
        trigger_id: `trig${++eventCounter}`,
        ...fields,
      });
      // NOTE: Bolt parses form bodies only with exactly this content type.
      return send(body.toString(), 'application/x-www-form-urlencoded');
    },
    action(payload) {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) });
      return send(body.toString(), 'application/x-www-form-urlencoded');
    },
  };
}

/**
 * The whole bot on a loopback port with Slack on over HTTP. The Web API is intercepted with nock
 * at slack.com; every call is recorded and answered ok unless `answer` scripts it (see interceptSlackApi).
 */
export async function startSlackHarness(
  env: Record<string, string> = {},
  answer?: (call: SlackCall) => SlackApiAnswer | undefined,
): Promise<SlackHarness> {
  const api = interceptSlackApi(answer);
  const base = await startSmsHarness({
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    ...env,
  });
  return { ...base, ...api, ...slackRequests(base.baseUrl) };
}

/** A DM from a user, as Slack's message.im event. */
export function dm(user: string, text: string, ts = `${Date.now() / 1000}`): Record<string, unknown> {
  return { type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts };
}

/** A block_actions payload for a button in a message the bot posted. */
export function buttonClick(
  user: string,
  channel: string,
  message: { ts: string; blocks: unknown; thread_ts?: string },
  button: { action_id: string; value: string; text: string },
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: TEAM, domain: 'acme' },
    user: { id: user, username: 'someone', team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: `trig-${Date.now()}`,
    container: { type: 'message', message_ts: message.ts, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'directmessage' },
    message: {
      type: 'message',
      ts: message.ts,
      text: 'question',
      blocks: message.blocks,
      ...(message.thread_ts && { thread_ts: message.thread_ts }),
    },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: 'b1',
        value: button.value,
        text: { type: 'plain_text', text: button.text },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** The parts of a Block Kit button and block the tests read. */
export interface Button {
  type?: string;
  action_id: string;
  value: string;
  text: { text: string };
}
export interface Block {
  type: string;
  elements?: Button[];
  text?: { text: string };
  fields?: Array<{ text: string }>;
}

/** Every button in a message's actions blocks, in order. */
export function buttonsOf(blocks: unknown): Button[] {
  return (blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}
