import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalSettings, loadCorpus, runCase, withReviews } from '../../eval/eval-corpus.js';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.js';

// Verdict reviews (issue 13): PJ marks a verdict right or gives his own through the admin API;
// each verdict carries the rules version that produced it; the reviews come out in the eval
// corpus's own format, masked, and run as eval cases where PJ's label wins.

const A = '+14155550101';
const B = '+14155550102';
const C = '+14155550103';

interface Shown {
  id: number;
  participant: string;
  verdict: string | null;
  review: { verdict: string; note: string; at: string } | null;
  rulesVersion: string | null;
}

describe('verdict reviews', () => {
  let h: PipelineHarness;
  const dir = mkdtempSync(join(tmpdir(), 'reviews-'));
  const shown = async (participant: string): Promise<Shown> => {
    const { conversations } = (await (
      await h.get(`/conversations?participant=${encodeURIComponent(participant)}`)
    ).json()) as { conversations: Shown[] };
    const found = conversations[0];
    if (found === undefined) throw new Error(`no conversation for ${participant}`);
    return found;
  };

  beforeAll(async () => {
    h = await startPipelineHarness();
    await h.text(A, 'we run payroll for dentists, text me at (415) 555-0199 or pj-client@example.com');
    await h.text(A, 'their IT team <@U0123ABCD9> sent it');
    await h.text(B, 'we are a SaaS for dentists and their IT team is asking');
    await h.text(C, 'hi');
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows on every conversation the rules version its verdict came from', async () => {
    const rules = h.composed.settings.rulesVersion;
    expect(rules).toMatch(/^[0-9a-f]{12}$/);
    expect(await shown(A)).toMatchObject({ verdict: 'soc2', rulesVersion: rules, review: null });
    expect(await shown(C)).toMatchObject({ verdict: null, rulesVersion: null, review: null });
    const detail = (await (await h.get(`/conversations/${(await shown(B)).id}`)).json()) as Shown;
    expect(detail).toMatchObject({ verdict: 'soc2', rulesVersion: rules, review: null });
  });

  it("keeps PJ's review, the verdict he would have given, with what the bot said and its rules", async () => {
    const a = await shown(A);
    h.clock.now += 60_000;
    const res = await h.post(`/conversations/${a.id}/review`, {
      verdict: 'both',
      note: ' payroll feeds their books too ',
    });
    expect(res.status).toBe(200);
    const at = new Date(h.clock.now).toISOString();
    expect(await res.json()).toEqual({
      id: a.id,
      review: { verdict: 'both', note: 'payroll feeds their books too', at },
      botLabel: 'soc2',
      rulesVersion: h.composed.settings.rulesVersion,
    });
    expect((await shown(A)).review).toEqual({ verdict: 'both', note: 'payroll feeds their books too', at });
    // Marking a verdict right is giving the bot's own.
    expect((await h.post(`/conversations/${(await shown(B)).id}/review`, { verdict: 'soc2' })).status).toBe(200);
  });

  it('refuses a review it cannot read, and one for no conversation', async () => {
    const a = (await shown(A)).id;
    for (const body of [
      { verdict: 'soc3' },
      { note: 'x' },
      { verdict: 'soc1', note: 'x'.repeat(2001) },
      { verdict: 'soc1', extra: 1 },
    ]) {
      expect((await h.post(`/conversations/${a}/review`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await h.post('/conversations/9999/review', { verdict: 'soc1' })).status).toBe(404);
    expect((await h.post('/conversations/0x1/review', { verdict: 'soc1' })).status).toBe(404);
    expect((await shown(A)).review?.verdict).toBe('both');
  });

  it('exports the reviews as eval cases without numbers, emails or Slack ids, and PJ label wins in the eval', async () => {
    const res = await h.get('/reviews.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=reviews.json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    for (const secret of ['555-0199', 'pj-client@example.com', 'U0123ABCD9', '+1415'])
      expect(text).not.toContain(secret);
    const [a, b] = [await shown(A), await shown(B)];
    expect(JSON.parse(text)).toEqual([
      {
        id: `review-${a.id}`,
        messages: ['we run payroll for dentists, text me at <phone> or <email>', 'their IT team <slack id> sent it'],
        label: 'both',
        note: `payroll feeds their books too / the bot said soc2 (soc2.asker), rules ${h.composed.settings.rulesVersion}`,
      },
      {
        id: `review-${b.id}`,
        messages: ['we are a SaaS for dentists and their IT team is asking'],
        label: 'soc2',
        note: `the bot said soc2 (soc2.asker), rules ${h.composed.settings.rulesVersion}`,
      },
    ]);

    // npm run eval -- --reviews FILE reads the file as it came; PJ's corrections are cases of their own.
    const file = join(dir, 'reviews.json');
    writeFileSync(file, text);
    const reviews = loadCorpus(file);
    const settings = evalSettings();
    expect(reviews.map((c) => [c.id, runCase(settings, c).ok])).toEqual([
      [`review-${a.id}`, false],
      [`review-${b.id}`, true],
    ]);
    const corpus = [
      { id: 'dev-same', messages: ['We are a SaaS for dentists and their IT team is asking '], label: 'soc1' as const },
    ];
    expect(withReviews(corpus, reviews)).toEqual({ cases: [], replaced: ['dev-same'] });
  });
});
