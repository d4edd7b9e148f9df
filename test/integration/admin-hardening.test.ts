import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

interface ListBody {
  conversations: Array<{ id: number; participant: string; updatedAt: string; status: string }>;
  nextCursor: string | null;
}

let harness: SmsHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const start = async (env: Record<string, string> = {}) => (harness = await startSmsHarness(env));

const call = (
  h: SmsHarness,
  path: string,
  init: { method?: string; token?: string | null; headers?: Record<string, string>; body?: string } = {},
) => {
  const { method = 'GET', token = ADMIN_TOKEN, headers = {}, body } = init;
  return fetch(`${h.baseUrl}${path}`, {
    method,
    headers: { ...(token !== null && { Authorization: `Bearer ${token}` }), ...headers },
    ...(body !== undefined && { body }),
  });
};

const list = async (h: SmsHarness, query: string): Promise<ListBody> => {
  const res = await call(h, `/admin/api/conversations?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ListBody;
};

const number = (n: number) => `+1415556${String(n).padStart(4, '0')}`;

describe('admin API paging', () => {
  it('pages 120 conversations newest first: 50 by default, at most 200, a stable cursor, nextCursor null at the end', async () => {
    const h = await start();
    for (let n = 0; n < 120; n += 1) await replyTo(h, number(n), 'hi');
    const everything = await h.composed.store.list({});
    const newestFirst = everything.map((c) => c.id);
    expect(newestFirst).toHaveLength(120);

    const first = await list(h, '');
    expect(first.conversations).toHaveLength(50);
    expect(first.conversations.map((c) => c.id)).toEqual(newestFirst.slice(0, 50));
    expect(first.nextCursor).toEqual(expect.any(String));

    // A conversation on the first page changes: it moves to the top, and the next pages neither repeat nor lose one.
    const moved = first.conversations[10];
    await replyTo(h, moved?.participant ?? '', 'one more thing');
    const second = await list(h, `before=${encodeURIComponent(first.nextCursor ?? '')}`);
    expect(second.conversations.map((c) => c.id)).toEqual(newestFirst.slice(50, 100));
    const third = await list(h, `limit=50&before=${encodeURIComponent(second.nextCursor ?? '')}`);
    expect(third.conversations.map((c) => c.id)).toEqual(newestFirst.slice(100));
    expect(third.nextCursor).toBeNull();
    // The same cursor gives the same page again.
    expect(
      (await list(h, `before=${encodeURIComponent(first.nextCursor ?? '')}`)).conversations.map((c) => c.id),
    ).toEqual(newestFirst.slice(50, 100));

    const all = await list(h, 'limit=200');
    expect(all.conversations).toHaveLength(120);
    expect(all.conversations[0]?.id).toBe(moved?.id);
    expect(all.nextCursor).toBeNull();
    const exact = await list(h, 'limit=120');
    expect(exact.nextCursor).toBeNull();
    const oneShort = await list(h, 'limit=119');
    expect(oneShort.nextCursor).toEqual(expect.any(String));
    expect(
      (await list(h, `limit=5&before=${encodeURIComponent(oneShort.nextCursor ?? '')}`)).conversations,
    ).toHaveLength(1);

    // Filters page too.
    const waiting = await list(h, 'status=bot&limit=7');
    expect(waiting.conversations).toHaveLength(7);
    expect(waiting.conversations.every((c) => c.status === 'bot')).toBe(true);
  });

  it('answers only what changed since a time', async () => {
    const h = await start();
    for (let n = 0; n < 3; n += 1) await replyTo(h, number(n), 'hi');
    const [newest] = (await list(h, 'limit=1')).conversations;
    const after = new Date(Date.parse(newest?.updatedAt ?? '') + 1).toISOString();
    expect((await list(h, `since=${after}`)).conversations).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await replyTo(h, number(0), 'back again');
    const changed = await list(h, `since=${after}`);
    expect(changed.conversations.map((c) => c.participant)).toEqual([number(0)]);
    expect(changed.nextCursor).toBeNull();
    // At or after: the newest conversation's own time includes it.
    const inclusive = (await list(h, `since=${encodeURIComponent(newest?.updatedAt ?? '')}`)).conversations.map(
      (c) => c.participant,
    );
    expect(inclusive[0]).toBe(number(0));
    expect(inclusive).toContain(newest?.participant);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=201', /limit/],
    ['limit=-1', /limit/],
    ['limit=1e2', /limit/],
    ['limit=10.5', /limit/],
    ['limit=ten', /limit/],
    ['limit=1&limit=2', /limit/],
    ['before=not-a-cursor', /before/],
    [`before=${Buffer.from('1.0').toString('base64url')}`, /before/],
    [`before=${Buffer.from('01.5').toString('base64url')}`, /before/],
    ['since=yesterday', /since/],
    ['since=2026-13-45T99:00:00.000Z', /since/],
  ])('refuses %s with 400 and names the parameter', async (query, named) => {
    const h = await start();
    const res = await call(h, `/admin/api/conversations?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('bad_query');
    expect(body.message).toMatch(named);
  });
});

describe('admin API ids', () => {
  it.each(['0x1', '1e0', '01', '-1', '1.0', '+1', ' 1', '1 ', '99999999999999999999', '1%2F..', 'abc'])(
    'answers 404 for the id %j on every route, as for an id that does not exist',
    async (odd) => {
      const h = await start();
      await replyTo(h, number(1), 'can I talk to a real person?');
      const [only] = (await list(h, '')).conversations;
      expect(only?.id).toBe(1);
      const path = `/admin/api/conversations/${encodeURIComponent(odd)}`;
      const routes: Array<[string, string]> = [
        ['GET', path],
        ['GET', `${path}/export`],
        ['DELETE', path],
        ['POST', `${path}/takeover`],
        ['POST', `${path}/release`],
        ['POST', `${path}/close`],
      ];
      for (const [method, route] of routes) {
        const res = await call(h, route, { method });
        expect(res.status, `${method} ${route}`).toBe(404);
      }
      const reply = await call(h, `${path}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"text":"hi"}',
      });
      expect(reply.status).toBe(404);
      // Nothing happened to conversation 1.
      expect((await h.composed.store.get(1))?.status).toBe('waiting');
    },
  );
});

describe('admin response headers', () => {
  const expectAdminHeaders = (res: Response, label: string, hsts: boolean) => {
    expect(res.headers.get('cache-control'), label).toBe('no-store');
    expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), label).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security'), label).toBe(hsts ? 'max-age=31536000' : null);
  };

  it('puts no-store, nosniff, no-referrer and HSTS (PUBLIC_BASE_URL is https) on every admin response', async () => {
    const h = await start();
    await replyTo(h, number(1), 'can I talk to a real person?');
    const responses: Array<[string, Response]> = [
      ['console page', await call(h, '/admin', { token: null })],
      ['console page, slash', await call(h, '/admin/', { token: null })],
      ['console script', await call(h, '/admin/console.js', { token: null })],
      ['console style', await call(h, '/admin/console.css', { token: null })],
      ['no such console file', await call(h, '/admin/nothing-here', { token: null })],
      ['list', await call(h, '/admin/api/conversations')],
      ['detail', await call(h, '/admin/api/conversations/1')],
      ['export', await call(h, '/admin/api/conversations/1/export')],
      ['unknown id', await call(h, '/admin/api/conversations/0x1')],
      ['bad query', await call(h, '/admin/api/conversations?limit=0')],
      ['action', await call(h, '/admin/api/conversations/1/takeover', { method: 'POST' })],
      ['refused action', await call(h, '/admin/api/conversations/1/messages', { method: 'POST', body: 'x' })],
      ['no token', await call(h, '/admin/api/conversations', { token: null })],
      ['no such API route', await call(h, '/admin/api/nope')],
      ['erasure', await call(h, '/admin/api/conversations/1', { method: 'DELETE' })],
    ];
    for (const [label, res] of responses) expectAdminHeaders(res, `${label} (${res.status})`, true);
    // Not an admin route: left as it was.
    expect((await call(h, '/healthz', { token: null })).headers.get('cache-control')).toBeNull();
  });

  it('sends no HSTS when PUBLIC_BASE_URL is http, and the same headers when the admin API is off', async () => {
    const h = await start({ PUBLIC_BASE_URL: 'http://127.0.0.1:9' });
    expectAdminHeaders(await call(h, '/admin/api/conversations'), 'list over http', false);
    await h.close();
    const off = await start({ ADMIN_TOKEN: '' });
    const res = await call(off, '/admin/api/conversations');
    expect(res.status).toBe(503);
    expectAdminHeaders(res, 'admin off', true);
  });
});

describe('admin API failed tokens', () => {
  const wrong = 'wrong-token-wrong-token-wrong-token-0';

  it('answers 429 with Retry-After once one address sent 10 wrong tokens, refusing even the right one, and logs it once', async () => {
    const h = await start();
    for (let n = 0; n < 10; n += 1)
      expect((await call(h, '/admin/api/conversations', { token: `${wrong}${n}` })).status).toBe(401);
    const limited = await call(h, '/admin/api/conversations', { token: wrong });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(((await limited.json()) as { error: string }).error).toBe('too_many_attempts');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    // The right token does not get through from that address until the failures age out.
    expect((await call(h, '/admin/api/conversations')).status).toBe(429);
    expect((await call(h, '/admin/console.js', { token: null })).status).toBe(200);
    expect(h.logs.filter((line) => line.includes('too many wrong tokens from one address'))).toHaveLength(1);
  });

  it('does not count requests without a token, and forgets the failures after the right token', async () => {
    const h = await start();
    for (let n = 0; n < 15; n += 1)
      expect((await call(h, '/admin/api/conversations', { token: null })).status).toBe(401);
    for (let n = 0; n < 9; n += 1)
      expect((await call(h, '/admin/api/conversations', { token: wrong })).status).toBe(401);
    expect((await call(h, '/admin/api/conversations')).status).toBe(200);
    for (let n = 0; n < 9; n += 1)
      expect((await call(h, '/admin/api/conversations', { token: wrong })).status).toBe(401);
    expect((await call(h, '/admin/api/conversations')).status).toBe(200);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: every client behind it is one address', async () => {
    const h = await start();
    for (let n = 0; n < 10; n += 1) {
      const res = await call(h, '/admin/api/conversations', {
        token: wrong,
        headers: { 'X-Forwarded-For': `203.0.113.${n}` },
      });
      expect(res.status).toBe(401);
    }
    const res = await call(h, '/admin/api/conversations', { headers: { 'X-Forwarded-For': '198.51.100.1' } });
    expect(res.status).toBe(429);
  });

  it('takes the client address from X-Forwarded-For with TRUST_PROXY', async () => {
    const h = await start({ TRUST_PROXY: 'loopback' });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    for (let n = 0; n < 10; n += 1)
      expect((await call(h, '/admin/api/conversations', { token: wrong, headers: from('203.0.113.7') })).status).toBe(
        401,
      );
    expect((await call(h, '/admin/api/conversations', { headers: from('203.0.113.7') })).status).toBe(429);
    // Another client behind the same proxy is not held back by the first one's failures.
    expect((await call(h, '/admin/api/conversations', { headers: from('198.51.100.1') })).status).toBe(200);
    expect((await call(h, '/admin/api/conversations', { token: wrong, headers: from('198.51.100.1') })).status).toBe(
      401,
    );
    // An IPv6 client counts by its /64, whichever address in it it uses.
    for (let n = 0; n < 10; n += 1) {
      const res = await call(h, '/admin/api/conversations', {
        token: wrong,
        headers: from(`2001:db8:1:2::${n.toString(16)}`),
      });
      expect(res.status).toBe(401);
    }
    expect((await call(h, '/admin/api/conversations', { headers: from('2001:db8:1:2:ffff::1') })).status).toBe(429);
    expect((await call(h, '/admin/api/conversations', { headers: from('2001:db8:1:3::1') })).status).toBe(200);
    expect(h.logs.join('')).toContain('"address":"203.0.113.7"');
  });
});
