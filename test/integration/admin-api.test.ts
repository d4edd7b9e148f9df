import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

const ALICE = '+14155550101';
const BOB = '+14155550102';

describe('admin API', () => {
  let h: SmsHarness;
  beforeEach(async () => {
    h = await startSmsHarness();
    await replyTo(h, ALICE, 'we are a SaaS for dentists and their IT team is asking');
    await replyTo(h, BOB, 'can I talk to a real person?');
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses requests without the bearer token with 401', async () => {
    expect((await fetch(`${h.baseUrl}/admin/api/conversations`)).status).toBe(401);
    expect((await h.admin('/conversations', 'wrong-token-wrong-token')).status).toBe(401);
    const res = await fetch(`${h.baseUrl}/admin/api/conversations/1`, { headers: { Authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(/Bearer/);
  });

  it('lists conversations newest first with the documented fields', async () => {
    const { conversations } = (await (await h.admin('/conversations')).json()) as {
      conversations: Array<Record<string, unknown>>;
    };
    expect(conversations.map((c) => c.participant)).toEqual([BOB, ALICE]);
    const alice = conversations[1];
    expect(alice).toMatchObject({
      channel: 'sms',
      participant: ALICE,
      status: 'bot',
      awaiting: null,
      verdict: 'soc2',
      side: 'client',
      flags: [],
      answers: {
        product: 'we are a SaaS for dentists and their IT team is asking',
        asker: 'we are a SaaS for dentists and their IT team is asking',
      },
    });
    expect(typeof alice?.id).toBe('number');
    expect(Date.parse(String(alice?.createdAt))).not.toBeNaN();
    expect(Date.parse(String(alice?.updatedAt))).not.toBeNaN();
    expect(alice).not.toHaveProperty('transcript');
  });

  it('shows a buying-side conversation with side "buyer" and the report to request as its verdict', async () => {
    const { flow } = h.composed.settings;
    const CAROL = '+14155550103';
    const [reply] = await replyTo(
      h,
      CAROL,
      "I'm a vendor manager at a bank, what should we request from our payroll vendor?",
    );
    // Advice for the buying side: what to request, never "You need".
    expect(reply).toContain(flow.verdict.buyerHeadline.soc1);
    for (const headline of Object.values(flow.verdict.headline)) expect(reply).not.toContain(headline);

    const { conversations } = (await (
      await h.admin(`/conversations?participant=${encodeURIComponent(CAROL)}`)
    ).json()) as {
      conversations: Array<{ id: number; side: string; verdict: string | null }>;
    };
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ side: 'buyer', verdict: 'soc1' });
    const detail = (await (await h.admin(`/conversations/${conversations[0]?.id}`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ participant: CAROL, side: 'buyer', verdict: 'soc1' });
    // The other conversations stay on the client side.
    const all = (await (await h.admin('/conversations')).json()) as {
      conversations: Array<{ participant: string; side: string }>;
    };
    expect(all.conversations.filter((c) => c.side === 'buyer').map((c) => c.participant)).toEqual([CAROL]);
  });

  it('filters by channel, participant and status', async () => {
    const get = async (q: string) =>
      (
        (await (await h.admin(`/conversations?${q}`)).json()) as { conversations: Array<{ participant: string }> }
      ).conversations.map((c) => c.participant);
    expect(await get('status=waiting')).toEqual([BOB]);
    expect(await get(`participant=${encodeURIComponent(ALICE)}`)).toEqual([ALICE]);
    expect(await get('channel=slack')).toEqual([]);
    expect(await get('channel=sms&status=bot')).toEqual([ALICE]);
  });

  it('rejects an unknown filter value with 400 and says which', async () => {
    const res = await h.admin('/conversations?status=sleeping');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/status/);
  });

  it('returns one conversation with its transcript, and 404 for an unknown id', async () => {
    const { conversations } = (await (await h.admin('/conversations?status=waiting')).json()) as {
      conversations: Array<{ id: number }>;
    };
    const res = await h.admin(`/conversations/${conversations[0]?.id}`);
    const bob = (await res.json()) as { flags: string[]; transcript: Array<Record<string, unknown>> };
    expect(bob.flags).toEqual(['human']);
    expect(bob.transcript).toHaveLength(2);
    expect(bob.transcript[0]).toMatchObject({ direction: 'in', author: 'user', text: 'can I talk to a real person?' });
    expect(bob.transcript[1]).toMatchObject({ direction: 'out', author: 'bot' });
    expect(Date.parse(String(bob.transcript[0]?.at))).not.toBeNaN();
    expect((await h.admin('/conversations/99999')).status).toBe(404);
    expect((await h.admin('/conversations/abc')).status).toBe(404);
  });
});

describe('admin API without ADMIN_TOKEN', () => {
  it('is off and says which variable turns it on', async () => {
    const h = await startSmsHarness({ ADMIN_TOKEN: '' });
    try {
      const res = await fetch(`${h.baseUrl}/admin/api/conversations`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toMatch(/ADMIN_TOKEN/);
    } finally {
      await h.close();
    }
  });
});

describe('health and readiness', () => {
  it('reports the process up, the database up, and 503 once the database is gone', async () => {
    const h = await startSmsHarness();
    try {
      expect(await (await fetch(`${h.baseUrl}/healthz`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${h.baseUrl}/readyz`)).json()).toEqual({ ok: true, store: 'sqlite', database: 'up' });
      await h.composed.store.close();
      const res = await fetch(`${h.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      expect(h.logs.join('')).toMatch(/DATABASE_URL/);
      // A text that cannot be stored is not accepted: 500, so Twilio retries it later.
      expect((await h.text('+14155550101', 'hi')).status).toBe(500);
      expect(h.logs.join('')).toMatch(/request failed; the client may retry it safely/);
      const unknown = await fetch(`${h.baseUrl}/nope`);
      expect(unknown.status).toBe(404);
    } finally {
      await h.close().catch(() => undefined);
    }
  });
});
