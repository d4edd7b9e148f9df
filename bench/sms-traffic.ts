import { createHmac, randomBytes } from 'node:crypto';
import type { BenchRequest } from './load.js';

/** A complete conversation: a greeting, the product, the asker; the bot's answer to the last is the verdict. */
const TEXTS = ['hi', 'we run payroll for restaurants', 'their CFO asked'];
const SMS_PATH = '/twilio/sms';

interface SmsTraffic {
  /** The next text from a sender with nothing in flight, or null when all are waiting for an answer. */
  next(): BenchRequest | null;
  /** Conversations whose last text was answered 200. */
  completed(): number;
}

/**
 * Signed Twilio webhooks as Twilio sends them (every field of a real incoming SMS), from `senders`
 * numbers at once: each sends its next text only once the previous one was answered, and after a
 * complete conversation a sender takes a new number. `onAnswered` hears every MessageSid answered 200.
 */
export function createSmsTraffic(options: {
  token: string;
  /** PUBLIC_BASE_URL: the signature covers it. */
  base: string;
  senders: number;
  /** Keeps numbers apart between runs on one database. */
  run: number;
  onAnswered?: (sid: string) => void;
}): SmsTraffic {
  const url = options.base + SMS_PATH;
  const slots = Array.from({ length: options.senders }, () => ({ busy: false, generation: 0, step: 0 }));
  let cursor = 0;
  let completed = 0;
  const numberOf = (slot: number, generation: number) =>
    `+1${String(2_000_000_000 + options.run * 100_000_000 + generation * options.senders + slot).padStart(10, '0')}`;

  function request(index: number): BenchRequest {
    const slot = slots[index] ?? { busy: true, generation: 0, step: 0 };
    slot.busy = true;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params: Record<string, string> = {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: sid,
      NumMedia: '0',
      ToCity: 'SAN DIEGO',
      FromZip: '94105',
      SmsSid: sid,
      FromState: 'CA',
      SmsStatus: 'received',
      FromCity: 'SAN FRANCISCO',
      Body: TEXTS[slot.step] ?? '',
      FromCountry: 'US',
      To: '+18585550100',
      MessagingServiceSid: `MG${'0'.repeat(32)}`,
      ToZip: '92101',
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: sid,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: numberOf(index, slot.generation),
      ApiVersion: '2010-04-01',
    };
    const payload = Object.keys(params)
      .sort()
      .reduce((acc, key) => acc + key + params[key], url);
    return {
      path: SMS_PATH,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': createHmac('sha1', options.token).update(payload).digest('base64'),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
      onAnswer(status) {
        slot.busy = false;
        if (status !== 200) return;
        options.onAnswered?.(sid);
        slot.step += 1;
        if (slot.step < TEXTS.length) return;
        completed += 1;
        slot.step = 0;
        slot.generation += 1;
      },
    };
  }

  return {
    next() {
      for (let tried = 0; tried < slots.length; tried += 1) {
        const index = cursor;
        cursor = (cursor + 1) % slots.length;
        if (slots[index]?.busy === false) return request(index);
      }
      return null;
    },
    completed: () => completed,
  };
}
