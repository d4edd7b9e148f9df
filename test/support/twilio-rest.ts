import { randomBytes } from 'node:crypto';
import nock from 'nock';

// A stand-in for Twilio's Messages API. NOTE: every reply carries Content-Length: without it
// nock 14 on Node 20 hangs forever on twilio's keep-alive requests (nock issue 3001).

const TWILIO_ORIGIN = 'https://api.twilio.com';
export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const REST_AUTH_TOKEN = 'rest-auth-token-0123456789abcdef';
export const BOT_FROM = '+15005550006';
export const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

/** The form fields of one Messages.create request. */
type SentForm = Record<string, string>;

export function newSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

export type Reply = [status: number, body: string, headers: Record<string, string>];

/** A JSON reply with Content-Length. */
export function jsonReply(status: number, body: object): Reply {
  const json = JSON.stringify(body);
  return [status, json, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) }];
}

/** Twilio's 201 for a created message. */
function created(form: SentForm, sid = newSid()): Reply {
  return jsonReply(201, {
    sid,
    status: 'queued',
    to: form.To,
    from: form.From,
    body: form.Body,
    account_sid: ACCOUNT_SID,
  });
}

/** Twilio's error body, e.g. 400 with code 21211, 429 with 20429, 500 with no code. */
export function twilioError(status: number, code?: number, message = 'error'): Reply {
  return jsonReply(status, {
    status,
    message,
    ...(code !== undefined && { code, more_info: `https://www.twilio.com/docs/errors/${code}` }),
  });
}

function parseForm(body: unknown): SentForm {
  return Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : ''));
}

export interface TwilioStandIn {
  /** Every Messages.create received, in order, including failed ones. */
  received: SentForm[];
  /** What each accepted message got as its SID, by body. */
  sids: Map<string, string>;
  /** Answers the next `times` requests with `reply` (default: created). */
  answer(reply?: (form: SentForm) => Reply, options?: { times?: number; delayMs?: number }): void;
  /** Fails the test if a reply was set up but not used. */
  assertDone(): void;
}

export function twilioStandIn(origin = TWILIO_ORIGIN): TwilioStandIn {
  const received: SentForm[] = [];
  const sids = new Map<string, string>();
  const scope = nock(origin);
  const accept = (form: SentForm): Reply => {
    const sid = newSid();
    sids.set(form.Body ?? '', sid);
    return created(form, sid);
  };
  return {
    received,
    sids,
    answer(reply = accept, { times = 1, delayMs } = {}) {
      let interceptor = scope.post(MESSAGES_PATH).times(times);
      if (delayMs !== undefined) interceptor = interceptor.delay(delayMs);
      interceptor.reply((_uri, body) => {
        const form = parseForm(body);
        received.push(form);
        return reply(form);
      });
    },
    assertDone() {
      scope.done();
    },
  };
}
