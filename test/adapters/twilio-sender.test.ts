import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createTwilioSender } from '../../src/adapters/twilio/twilio-sender.js';
import { DeliveryError } from '../../src/core/delivery-error.js';
import {
  ACCOUNT_SID,
  BOT_FROM,
  jsonReply,
  MESSAGES_PATH,
  REST_AUTH_TOKEN,
  twilioError,
  twilioStandIn,
} from '../support/twilio-rest.js';

const CLIENT = '+14155550123';
const CALLBACK = 'https://bot.example.test/twilio/status';

function sender(extra: { apiUrl?: string; timeoutMs?: number } = {}) {
  return createTwilioSender({
    accountSid: ACCOUNT_SID,
    authToken: REST_AUTH_TOKEN,
    from: BOT_FROM,
    statusCallback: CALLBACK,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe('createTwilioSender', () => {
  it('creates the message with To, From, Body and StatusCallback and resolves to its SID', async () => {
    const twilio = twilioStandIn();
    twilio.answer();
    const sid = await sender().send(CLIENT, 'Hello from PJ');
    expect(twilio.received).toEqual([{ To: CLIENT, From: BOT_FROM, Body: 'Hello from PJ', StatusCallback: CALLBACK }]);
    expect(sid).toBe(twilio.sids.get('Hello from PJ'));
    twilio.assertDone();
  });

  it('signs in with the account SID and auth token', async () => {
    const basic = `Basic ${Buffer.from(`${ACCOUNT_SID}:${REST_AUTH_TOKEN}`).toString('base64')}`;
    const scope = nock('https://api.twilio.com', { reqheaders: { authorization: basic } })
      .post(MESSAGES_PATH)
      .reply(...jsonReply(201, { sid: 'SM00000000000000000000000000000001' }));
    await expect(sender().send(CLIENT, 'hi')).resolves.toBe('SM00000000000000000000000000000001');
    scope.done();
  });

  it.each([
    ['a bad number', 400, 21211, { retryable: false, code: '21211' }],
    ['an opted-out client', 400, 21610, { retryable: false, code: '21610' }],
    ['a rate limit', 429, 20429, { retryable: true, code: '20429' }],
    ['a rate limit without a code', 429, undefined, { retryable: true, code: '429' }],
    ['a server error', 500, undefined, { retryable: true, code: '500' }],
    ['a bad gateway', 502, undefined, { retryable: true, code: '502' }],
  ])('maps %s (HTTP %i) to a DeliveryError', async (_name, status, code, expected) => {
    const twilio = twilioStandIn();
    twilio.answer(() => twilioError(status, code, `The 'To' number ${CLIENT} is not valid`));
    const error = await failure(sender().send(CLIENT, 'hi'));
    expect({ retryable: error.retryable, code: error.code }).toEqual(expected);
    expect(error.message).toContain(`HTTP ${status}`);
    // Phone numbers Twilio quotes are masked: the message ends up in logs and the database.
    expect(error.message).not.toContain(CLIENT);
  });

  it('treats a request that outlasts the timeout as retryable', async () => {
    const twilio = twilioStandIn();
    twilio.answer(undefined, { delayMs: 2_000 });
    const error = await failure(sender({ timeoutMs: 200 }).send(CLIENT, 'slow'));
    expect(error.retryable).toBe(true);
    expect(error.code).toMatch(/^E[A-Z]+$/);
  });

  it('treats a network failure as retryable with its code', async () => {
    // NOTE: nock 14 needs a real Error here: a plain { code, message } object is silently dropped.
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    nock('https://api.twilio.com').post(MESSAGES_PATH).replyWithError(reset);
    const error = await failure(sender().send(CLIENT, 'hi'));
    expect({ retryable: error.retryable, code: error.code }).toEqual({ retryable: true, code: 'ECONNRESET' });
  });

  it('sends to TWILIO_API_URL instead of api.twilio.com, keeping the path', async () => {
    const standIn = twilioStandIn('http://twilio-standin.test');
    standIn.answer();
    const prefixed = nock('https://proxy.example.test')
      .post(`/twilio${MESSAGES_PATH}`)
      .reply(...jsonReply(201, { sid: 'SMproxied' }));
    await sender({ apiUrl: 'http://twilio-standin.test' }).send(CLIENT, 'via stand-in');
    await expect(sender({ apiUrl: 'https://proxy.example.test/twilio/' }).send(CLIENT, 'via proxy')).resolves.toBe(
      'SMproxied',
    );
    expect(standIn.received.map((form) => form.Body)).toEqual(['via stand-in']);
    standIn.assertDone();
    prefixed.done();
    // Nothing was set up for api.twilio.com: a request there would have failed the send.
    expect(nock.pendingMocks()).toEqual([]);
  });
});
