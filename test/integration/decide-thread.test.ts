import { afterEach, describe, expect, it } from 'vitest';
import { messagesOf, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

// DECIDE_THREAD, on unless `off` (issue 11): texts decided on a worker thread, end to end through the signed
// webhook, answer and save exactly what the main thread decides, many senders at once.

const CONVERSATIONS = [
  ['hi', 'we run payroll for restaurants', 'their CFO asked', 'thanks', 'how much does the audit cost?'],
  ['Hello', 'We store HR records for employers', 'a prospect sent a security questionnaire, their CISO', 'ok'],
  ['hola', 'tenemos una plataforma de pagos para restaurantes', 'lo pide el director financiero', 'gracias'],
  ['STOP'],
  ['we do both payroll and customer data hosting', 'their auditors and their IT team', 'START'],
];

const harnesses: SmsHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

/** Every conversation at once, each sender's texts in order; what each sender was answered, and what was saved. */
async function converse(h: SmsHarness) {
  const replies = await Promise.all(
    CONVERSATIONS.map(async (texts, n) => {
      const answered: string[][] = [];
      for (const body of texts) answered.push(messagesOf(await (await h.text(`+1415555020${n}`, body)).text()));
      return answered;
    }),
  );
  const saved = await Promise.all(
    CONVERSATIONS.map(async (_, n) => {
      const [record] = await h.composed.store.list({ participant: `+1415555020${n}` });
      const detail = await h.composed.store.get(record?.id ?? 0);
      return {
        status: detail?.status,
        verdict: detail?.verdict,
        flags: detail?.flags,
        language: detail?.language,
        transcript: detail?.transcript.map(({ direction, author, text }) => ({ direction, author, text })),
      };
    }),
  );
  return { replies, saved };
}

describe('the decide thread (DECIDE_THREAD, on by default)', () => {
  it('answers and saves what the main thread would, for many senders at once', { timeout: 60_000 }, async () => {
    const threaded = await startSmsHarness();
    const plain = await startSmsHarness({ DECIDE_THREAD: 'off' });
    harnesses.push(threaded, plain);
    expect(threaded.composed.decideThread).not.toBeNull();
    expect(plain.composed.decideThread).toBeNull();
    const [there, here] = [await converse(threaded), await converse(plain)];
    expect(there).toEqual(here);
    expect(here.saved.map((s) => s.verdict)).toEqual(['soc1', 'soc2', 'soc1', null, 'both']);
    expect(threaded.logs.filter((line) => line.includes('thread stopped'))).toEqual([]);
  });
});
