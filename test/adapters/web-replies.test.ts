import { describe, expect, it } from 'vitest';
import { choiceValue, greetingLines, parseChoice, renderWebLines } from '../../src/adapters/web/web-replies.js';
import { createRateLimiter } from '../../src/adapters/web/web-rate-limit.js';
import { createWebSessions, generateSessionSecret } from '../../src/adapters/web/web-session.js';
import type { Say } from '../../src/core/conversation-machine.js';
import { renderReply } from '../../src/core/render-reply.js';
import { ADVISOR, copy, flow } from '../support/copy.js';

const verdict: Say = {
  message: 'verdict',
  international: false,
  advice: {
    verdict: 'both',
    side: 'client',
    reason: 'both.product',
    typeAdvice: 'default',
    product: 'payroll',
    asker: 'their CFO',
    request: '',
  },
};

describe('the web chat lines, from the says', () => {
  it('turns a question into its text and one button per choice, without the greeting the panel opened with', () => {
    const lines = renderWebLines([{ message: 'askAsker', greet: true, buyer: false }], flow, ADVISOR);
    expect(lines).toEqual([
      {
        text: flow.askAsker.question,
        choices: flow.askAsker.choices.map((label, i) => ({ label, value: `asker:${i + 1}` })),
      },
    ]);
    expect(
      renderWebLines([{ message: 'greeting' }, { message: 'askProduct', greet: false, buyer: true }], flow, ADVISOR),
    ).toEqual([
      {
        text: `${flow.askVendor.question} ${flow.askVendor.freeText}`,
        choices: flow.askVendor.choices.map((label, i) => ({ label, value: `product:${i + 1}` })),
      },
    ]);
    expect(greetingLines(flow, ADVISOR)[0]?.text).toBe(
      `${copy(flow.greeting)} ${flow.askProduct.question} ${flow.askProduct.freeText}`,
    );
  });

  it('turns the verdict into a card with the same words as the SMS text, and links to text or call PJ', () => {
    const [line] = renderWebLines([verdict], flow, ADVISOR);
    expect(line?.text).toBe(renderReply([verdict], flow, ADVISOR, 'web'));
    expect(line?.card?.links).toEqual([
      { label: copy(flow.web.textAdvisor), href: 'sms:+18584618054' },
      { label: copy(flow.web.callAdvisor), href: 'tel:+18584618054' },
    ]);
    const card = line?.card;
    expect([card?.headline, card?.reason, ...(card?.advice ?? []), card?.handoff].join(' ')).toBe(line?.text);
    expect(JSON.stringify(line)).not.toMatch(/\{(advisor|phone)\}/);
  });

  it("shows the client's own words as typed, even when they look like a placeholder", () => {
    const quoted: Say = {
      ...verdict,
      advice: { ...(verdict as Extract<Say, { message: 'verdict' }>).advice, product: 'call {phone} {advisor}' },
    };
    const [line] = renderWebLines([quoted], flow, ADVISOR);
    expect(line?.card?.reason).toContain('call {phone} {advisor}');
    expect(line?.text).toContain('call {phone} {advisor}');
  });

  it('gives other says as plain lines, one per say, and nothing for an empty one', () => {
    const lines = renderWebLines(
      [{ message: 'handoffCost' }, { message: 'topics', topics: [] }, { message: 'ended' }],
      flow,
      ADVISOR,
    );
    expect(lines).toEqual([{ text: copy(flow.handoffCost) }, { text: copy(flow.ended) }]);
  });

  it('reads back only the choices the bot offers', () => {
    expect(parseChoice(choiceValue('product', 2))).toEqual({ answers: 'product', number: '2' });
    for (const bad of ['product:0', 'product:10', 'price:1', 'asker:', '', 'asker:1 '])
      expect(parseChoice(bad), bad).toBeNull();
  });
});

describe('web session ids', () => {
  it('verifies only ids signed with the same secret, unaltered', () => {
    const sessions = createWebSessions(generateSessionSecret());
    const id = sessions.create();
    expect(sessions.verify(id)).toBe(true);
    expect(sessions.create()).not.toBe(id);
    expect(createWebSessions(generateSessionSecret()).verify(id)).toBe(false);
    const [random = '', mac = ''] = id.split('.');
    const flipped = `${random}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [flipped, `${random}.`, random, `${id}x`, '', '..'])
      expect(sessions.verify(bad), bad).toBe(false);
  });
});

describe('the web chat rate limiter', () => {
  it('allows the limit per key and window, then says how many seconds to wait', () => {
    const limiter = createRateLimiter({ limit: 2, windowMs: 10_000 });
    expect([limiter.take('a', 0), limiter.take('a', 1), limiter.take('b', 2)]).toEqual([null, null, null]);
    expect(limiter.take('a', 2_500)).toBe(8);
    expect(limiter.take('a', 9_999)).toBe(1);
    expect(limiter.take('a', 10_000)).toBeNull();
  });
});
