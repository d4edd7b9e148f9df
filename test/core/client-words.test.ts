import { describe, expect, it } from 'vitest';
import type { Say } from '../../src/core/conversation-machine.js';
import type { ConversationRecord } from '../../src/core/conversation.js';
import type { AdvisorNotice } from '../../src/core/ports.js';
import { renderNotice } from '../../src/core/render-notice.js';
import { renderReply } from '../../src/core/render-reply.js';
import { ADVISOR, copy, flow } from '../support/copy.js';

/** A client's words that look like the flow's placeholders: each must reach PJ and the client as typed. */
const TRICKY = 'call {advisor} at {phone} about #{id}, {text} {by} {product}';

const record: ConversationRecord = {
  id: 42,
  channel: 'sms',
  participant: '+14155550101',
  conversationKey: '+14155550101',
  status: 'human',
  awaiting: null,
  answers: { product: 'we sell {phone} cases', asker: 'the {advisor} fan club' },
  verdict: 'soc2',
  side: 'client',
  flags: ['human'],
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:05:00.000Z',
};

describe("a client's words are data, never template", () => {
  it.each<[string, AdvisorNotice, string, Record<string, string>]>([
    [
      'a client message',
      { kind: 'clientMessage', text: TRICKY },
      flow.advisor.clientMessage,
      { id: '42', text: TRICKY },
    ],
    [
      'a failed delivery',
      { kind: 'deliveryProblem', problem: 'failed', text: TRICKY, detail: '{phone}' },
      flow.advisor.failed,
      { id: '42', text: TRICKY, detail: '{phone}' },
    ],
  ])('in the notice to PJ about %s, placeholders in them are not filled', (_name, notice, template, vars) => {
    const text = renderNotice(notice, record, flow, ADVISOR);
    expect(text).toBe(copy(template, vars));
    expect(text).toContain(TRICKY);
  });

  it('in the flag notice, the answers are quoted as typed', () => {
    const text = renderNotice({ kind: 'flagged', reasons: ['human'] }, record, flow, ADVISOR);
    expect(text).toContain('we sell {phone} cases');
    expect(text).toContain('the {advisor} fan club');
    expect(text).not.toContain('858-461-8054');
  });

  it("in the verdict and the conflict line the client reads, their quoted words stay as typed; the flow's own are filled", () => {
    const verdict: Say = {
      message: 'verdict',
      international: false,
      advice: {
        verdict: 'soc2',
        side: 'client',
        reason: 'soc2.product',
        typeAdvice: 'default',
        product: 'an {advisor} app',
        asker: '',
        request: '',
      },
    };
    const text = renderReply([verdict], flow, ADVISOR, 'sms') ?? '';
    expect(text).toContain('"an {advisor} app"');
    expect(text).toContain('858-461-8054');
    const conflict = renderReply([{ message: 'conflict', product: '{phone} cases' }], flow, ADVISOR, 'sms');
    expect(conflict).toBe(copy(flow.conflict, { product: '{phone} cases' }));
  });
});
