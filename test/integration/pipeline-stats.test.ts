import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.js';

// PJ's pipeline (issue 13) through the real routes: conversations driven by signed SMS at set
// times in PJ's zone (America/Los_Angeles, UTC-8 in January), PJ replying and closing through the
// admin API, and the counts compared with what was counted by hand below.

/** Epoch ms of a wall-clock time in Los Angeles in January 2026 (PST, UTC-8). */
const la = (day: number, hour: number, minute = 0): number => Date.UTC(2026, 0, day, hour + 8, minute);

const A = '+14155550101';
const B = '+14155550102';
const C = '+14155550103';
const D = '+14155550104';
const E = '+14155550105';
const EARLY = '+14155550106';
const LATE = '+14155550107';

interface Stats {
  from: string;
  to: string;
  funnel: Record<string, number>;
  verdicts: Record<string, number>;
  flags: Record<string, number>;
  dropOff: Record<string, number>;
  medianMinutesToAdvisorReply: number | null;
  days: Array<{ date: string; started: number; verdict: number; flagged: number }>;
}

describe('pipeline stats and lead list', () => {
  let h: PipelineHarness;
  const at = async (time: number, from: string, text: string) => {
    h.clock.now = time;
    await h.text(from, text);
  };
  const idOf = async (participant: string): Promise<number> => {
    const { conversations } = (await (
      await h.get(`/conversations?participant=${encodeURIComponent(participant)}`)
    ).json()) as { conversations: Array<{ id: number }> };
    const id = conversations[0]?.id;
    if (id === undefined) throw new Error(`no conversation for ${participant}`);
    return id;
  };
  const stats = async (query: string): Promise<Stats> => {
    const res = await h.get(`/stats?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Stats;
  };

  beforeAll(async () => {
    h = await startPipelineHarness();
    // Jan 4, 23:59 in LA (already Jan 5 in UTC): before the period.
    await at(la(4, 23, 59), EARLY, 'hi');
    // Jan 5: A answers both questions at once (SOC 2); B says hi and never answers.
    await at(la(5, 9), A, 'we are a SaaS for dentists and their IT team is asking');
    await at(la(5, 23, 30), B, 'hi');
    // Jan 6: C is payroll, then both sides ask (both: flagged); D asks for a person; E asks the price.
    await at(la(6, 10), C, 'payroll software');
    await at(la(6, 10, 5), C, 'our CFO and their security team');
    await at(la(6, 11), D, 'can I talk to a real person?');
    await at(la(6, 12), E, 'how much does this cost?');
    // PJ answers C after 25 minutes and D after 10, then closes D.
    h.clock.now = la(6, 10, 30);
    expect((await h.post(`/conversations/${await idOf(C)}/messages`, { text: 'Hi, PJ here' })).status).toBe(200);
    h.clock.now = la(6, 11, 10);
    const d = await idOf(D);
    expect((await h.post(`/conversations/${d}/messages`, { text: 'Happy to talk' })).status).toBe(200);
    expect((await h.post(`/conversations/${d}/close`)).status).toBe(200);
    // Jan 7, 00:00 in LA: after the period.
    await at(la(7, 0), LATE, 'hi');
    h.clock.now = la(8, 12);
  });
  afterAll(async () => {
    await h.close();
  });

  it('counts the funnel, verdicts, flags, drop-off, median wait and days as counted by hand', async () => {
    expect(await stats('from=2026-01-05&to=2026-01-06')).toEqual({
      from: '2026-01-05',
      to: '2026-01-06',
      channel: null,
      timeZone: 'America/Los_Angeles',
      rulesVersion: expect.stringMatching(/^[0-9a-f]{12}$/),
      // A, B, C, D, E; product and asker: A and C; verdict: A (soc2), C (both); flagged: C, D, E.
      funnel: { started: 5, product: 2, asker: 2, verdict: 2, flagged: 3, advisorReplied: 2, closed: 1 },
      verdicts: { soc1: 0, soc2: 1, both: 1 },
      flags: { human: 1, cost: 1, unclear: 0, both: 1, conflict: 0, followup: 0 },
      // B was asked what the product does and never answered.
      dropOff: { product: 1, asker: 0 },
      // C: flagged 10:05, answered 10:30 (25); D: flagged 11:00, answered 11:10 (10).
      medianMinutesToAdvisorReply: 17.5,
      days: [
        { date: '2026-01-05', started: 2, verdict: 1, flagged: 0 },
        { date: '2026-01-06', started: 3, verdict: 1, flagged: 3 },
      ],
    });
  });

  it('counts by the day in PJ zone, on the channel asked for, and agrees with the lead list', async () => {
    const day = await stats('from=2026-01-04&to=2026-01-04');
    expect(day.funnel.started).toBe(1);
    expect(day.dropOff).toEqual({ product: 1, asker: 0 });
    expect((await stats('from=2026-01-05&to=2026-01-06&channel=slack')).funnel.started).toBe(0);

    const { leads } = (await (await h.get('/leads?from=2026-01-05&to=2026-01-06')).json()) as {
      leads: Array<{ participant: string }>;
    };
    expect(leads.map((lead) => lead.participant)).toEqual([A, B, C, D, E]);
    // The list endpoint takes the same period: the same conversations, newest first.
    const { conversations } = (await (await h.get('/conversations?from=2026-01-05&to=2026-01-06')).json()) as {
      conversations: Array<{ participant: string }>;
    };
    expect(conversations.map((c) => c.participant).sort()).toEqual([A, B, C, D, E]);
    const { conversations: sms } = (await (
      await h.get('/conversations?from=2026-01-06&to=2026-01-06&channel=sms&status=waiting')
    ).json()) as {
      conversations: Array<{ participant: string }>;
    };
    expect(sms.map((c) => c.participant).sort()).toEqual([E]);
    expect((await h.get('/conversations?from=2026-13-01')).status).toBe(400);
  });

  it('defaults to the last seven days and refuses a period it cannot read', async () => {
    const week = await stats('');
    expect([week.from, week.to]).toEqual(['2026-01-02', '2026-01-08']);
    expect(week.days).toHaveLength(7);
    expect(week.funnel.started).toBe(7);
    for (const bad of [
      'from=2026-02-30',
      'from=2026-01-07&to=2026-01-06',
      'from=2025-01-01&to=2026-12-31',
      'channel=fax',
      'to=tomorrow',
    ]) {
      const res = await h.get(`/stats?${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('downloads the lead list as CSV that a spreadsheet opens as text', async () => {
    const F = '+14155550108';
    const today = h.clock.now;
    await at(la(9, 9), F, '=HYPERLINK("http://evil.example","win"), we run payroll');
    h.clock.now = today;
    const res = await h.get('/leads.csv?from=2026-01-09&to=2026-01-09');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=leads-2026-01-09-to-2026-01-09.csv');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    const [header, row, end] = body.split('\r\n');
    expect(
      header?.startsWith('\uFEFFid,created,channel,number or Slack user,what the product does,who is asking,verdict'),
    ).toBe(true);
    expect(row).toContain(
      `,2026-01-09 09:00,sms,'${F},"'=HYPERLINK(""http://evil.example"",""win""), we run payroll",`,
    );
    expect(end).toBe('');
  });

  it('refuses the pipeline without the admin token', async () => {
    for (const path of ['/stats', '/leads', '/leads.csv', '/reviews.json']) {
      expect((await fetch(`${h.baseUrl}/admin/api${path}`)).status, path).toBe(401);
    }
  });
});
