import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freeTextCases, openingOf } from '../fixtures/free-text-cases.js';
import { dm, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

describe('free-text answers over Slack (the table shared with SMS)', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(
    freeTextCases.map((c, i) => [i, `${c.product} / ${c.asker ?? '(in the same text)'} -> ${c.expected}`, c] as const),
  )('case %i: %s', async (_i, _title, c) => {
    await h.event(dm('U1', 'hi'));
    await h.waitFor('chat.postMessage', 1);
    await h.event(dm('U1', c.product));
    let posts = await h.waitFor('chat.postMessage', 2);
    if (c.asker !== null) {
      expect(posts[1]?.body.text).toContain(h.composed.settings.flow.askAsker.question);
      await h.event(dm('U1', c.asker));
      posts = await h.waitFor('chat.postMessage', 3);
    }
    expect(posts.at(-1)?.body.text).toContain(openingOf(c.expected));
    // The same decision as over SMS, stored the same way.
    const [stored] = await h.composed.store.list({ channel: 'slack' });
    expect(stored?.verdict).toBe(c.expected === 'flagged' ? null : c.expected);
    expect(stored?.flags.includes('conflict')).toBe(c.expected === 'flagged');
  });
});
