import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freeTextCases, openingOf } from '../fixtures/free-text-cases.js';
import { dm, startSlackHarness, TEAM, type SlackHarness } from '../support/slack-harness.js';

describe('free-text answers over Slack (the table shared with SMS)', () => {
  // One app for the table: each case is a conversation of its own, with a user of its own.
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  beforeEach(() => h.rearm());
  afterAll(async () => {
    await h?.close();
  });

  it.each(
    freeTextCases.map((c, i) => [i, `${c.product} / ${c.asker ?? '(in the same text)'} -> ${c.expected}`, c] as const),
  )('case %i: %s', async (i, _title, c) => {
    const user = `U${i}`;
    await h.event(dm(user, 'hi'));
    await h.waitFor('chat.postMessage', 1);
    await h.event(dm(user, c.product));
    let posts = await h.waitFor('chat.postMessage', 2);
    if (c.asker !== null) {
      expect(posts[1]?.body.text).toContain(h.composed.settings.flow.askAsker.question);
      await h.event(dm(user, c.asker));
      posts = await h.waitFor('chat.postMessage', 3);
    }
    expect(posts.map((post) => post.body.channel)).toEqual(posts.map(() => `D${user}`));
    expect(posts.at(-1)?.body.text).toContain(openingOf(c.expected));
    // The same decision as over SMS, stored the same way.
    const [conversation, another] = await h.composed.store.list({ channel: 'slack', participant: `${TEAM}:${user}` });
    expect(another).toBeUndefined();
    expect(conversation?.verdict).toBe(c.expected === 'flagged' ? null : c.expected);
    expect(conversation?.flags.includes('conflict')).toBe(c.expected === 'flagged');
  });
});
