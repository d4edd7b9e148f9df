import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSegments, isGsm7 } from '../../src/core/sms-segments.js';
import { freeTextCases, HEADLINE } from '../fixtures/free-text-cases.js';
import { replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

describe('free-text answers over SMS (the table shared with Slack)', () => {
  let h: SmsHarness;
  beforeAll(async () => {
    h = await startSmsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(freeTextCases.map((c, i) => [i, c] as const))('case %i: %o', async (i, c) => {
    const from = `+1415555${String(1000 + i).padStart(4, '0')}`;
    const replies = [...(await replyTo(h, from, 'hi')), ...(await replyTo(h, from, c.product))];
    if (c.asker !== null) {
      expect(replies.at(-1)).toMatch(/who is asking/i);
      replies.push(...(await replyTo(h, from, c.asker)));
    }
    expect(replies.at(-1)).toContain(HEADLINE[c.verdict]);
    expect(replies.every(isGsm7)).toBe(true);
    expect(replies.reduce((n, r) => n + countSegments(r).segments, 0)).toBeLessThanOrEqual(6);
  });
});
