import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSegments, isGsm7 } from '../../src/core/sms-segments.js';
import { freeTextCases, openingOf, unclearAnswers, type Expected } from '../fixtures/free-text-cases.js';
import { replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

/** What the stored conversation must say for each expected outcome. */
const STORED: Record<Expected, { status: string; verdict: string | null; flags: string[] }> = {
  soc1: { status: 'bot', verdict: 'soc1', flags: [] },
  soc2: { status: 'bot', verdict: 'soc2', flags: [] },
  // Both reports is a bigger project: PJ hears about it.
  both: { status: 'waiting', verdict: 'both', flags: ['both'] },
  flagged: { status: 'waiting', verdict: null, flags: ['conflict'] },
};

describe('free-text answers over SMS (the table shared with Slack)', () => {
  let h: SmsHarness;
  beforeAll(async () => {
    h = await startSmsHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(
    freeTextCases.map((c, i) => [i, `${c.product} / ${c.asker ?? '(in the same text)'} -> ${c.expected}`, c] as const),
  )('case %i: %s', async (i, _title, c) => {
    const { flow } = h.composed.settings;
    const from = `+1415555${String(1000 + i).padStart(4, '0')}`;
    const replies = [...(await replyTo(h, from, 'hi')), ...(await replyTo(h, from, c.product))];
    if (c.asker !== null) {
      expect(replies.at(-1)).toContain(flow.askAsker.question);
      replies.push(...(await replyTo(h, from, c.asker)));
    }
    // One reply a text: a greeting, the asker question when needed, then the outcome.
    expect(replies).toHaveLength(c.asker === null ? 2 : 3);
    expect(replies.at(-1)).toContain(openingOf(c.expected));
    expect(replies.every(isGsm7)).toBe(true);
    expect(replies.reduce((n, r) => n + countSegments(r).segments, 0)).toBeLessThanOrEqual(6);

    const [stored] = await h.composed.store.list({ participant: from });
    expect(stored).toMatchObject({ ...STORED[c.expected], side: 'client' });
  });

  // Nothing here says what the business does: no verdict is guessed from it, nobody is opted out,
  // and the client always gets a reply (the next question, a concrete re-ask or an answer).
  it.each(unclearAnswers.map((text, i) => [i, text] as const))(
    'unclear answer %i: %j gets a reply and no verdict',
    async (i, text) => {
      const from = `+1415556${String(1000 + i).padStart(4, '0')}`;
      await replyTo(h, from, 'hi');
      const replies = await replyTo(h, from, text);
      expect(replies).toHaveLength(1);
      for (const headline of Object.values(h.composed.settings.flow.verdict.headline))
        expect(replies[0]).not.toContain(headline);
      const [stored] = await h.composed.store.list({ participant: from });
      expect(stored).toMatchObject({ status: 'bot', verdict: null, flags: [] });
    },
  );
});
