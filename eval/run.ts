import { parseArgs } from 'node:util';
import { evalSettings, loadCorpus, runCase, withReviews, type EvalResult, type Label } from './eval-corpus.js';

/**
 * `npm run eval`: runs the labelled corpus through the real machine, prints a confusion matrix
 * and every miss, and fails under 97% agreement or on any SOC 1 <-> SOC 2 swap.
 * `-- --holdout` runs the three held-out sets too (each written apart from the rules, first run at the end);
 * `-- --file F` runs another corpus file.
 * `-- --reviews FILE` adds PJ's verdict reviews exported from the bot (GET /admin/api/reviews.json):
 * each is a case every change must pass, and where a corpus case has the same texts, PJ's label wins.
 */
const MIN_AGREEMENT = 0.97;
const LABELS: Label[] = ['soc1', 'soc2', 'both', 'flagged', 'none', 'opted_out'];

const { values } = parseArgs({
  options: {
    holdout: { type: 'boolean', default: false },
    file: { type: 'string', multiple: true },
    reviews: { type: 'string', multiple: true },
    verbose: { type: 'boolean', default: false },
  },
});
const base = new URL('./corpus/', import.meta.url);
const holdouts = ['holdout.yaml', 'holdout2.yaml', 'holdout3.yaml'];
// spanish.yaml: clients who write in Spanish or switch to it, each case saying which language the bot must end in.
const files =
  values.file ??
  ['dev.yaml', 'spanish.yaml', ...(values.holdout ? holdouts : [])].map((name) => new URL(name, base).pathname);

const settings = evalSettings();
let failed = false;
const reviews = (values.reviews ?? []).map((path) => ({ path, cases: loadCorpus(path) }));
for (const file of files) {
  const { cases, replaced } = withReviews(
    loadCorpus(file),
    reviews.flatMap((r) => r.cases),
  );
  if (replaced.length > 0) console.log(`\n${file}: PJ's reviews replace ${replaced.join(', ')} (his label wins)`);
  report(
    file,
    cases.map((c) => runCase(settings, c)),
  );
}
// Every correction PJ made is a regression test: all of them must pass.
for (const { path, cases } of reviews)
  report(
    path,
    cases.map((c) => runCase(settings, c)),
    1,
  );
process.exit(failed ? 1 : 0);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function report(file: string, results: EvalResult[], minAgreement = MIN_AGREEMENT): void {
  const key = (r: EvalResult, got: boolean): string => {
    const label = got ? r.got : r.case.label;
    const side = got ? r.side : (r.case.side ?? 'client');
    return side === 'buyer' && label !== 'flagged' ? `${label}/buyer` : label;
  };
  const rows = [...new Set([...LABELS.flatMap((l) => [l, `${l}/buyer`]), ...results.map((r) => key(r, false))])].filter(
    (l) => results.some((r) => key(r, false) === l || key(r, true) === l),
  );
  console.log(`\n== ${file}: ${results.length} conversations`);
  console.log(`expected \\ got`.padEnd(16) + rows.map((l) => l.padStart(13)).join(''));
  for (const expected of rows) {
    const line = rows.map((got) =>
      String(results.filter((r) => key(r, false) === expected && key(r, true) === got).length).padStart(13),
    );
    console.log(expected.padEnd(16) + line.join(''));
  }
  const misses = results.filter((r) => !r.ok);
  const swaps = results.filter(
    (r) => (r.case.label === 'soc1' && r.got === 'soc2') || (r.case.label === 'soc2' && r.got === 'soc1'),
  );
  const optedOut = results.filter((r) => r.got === 'opted_out');
  const silences = results.reduce((n, r) => n + r.silences, 0);
  const toVerdict = results.map((r) => r.segmentsToVerdict).filter((n): n is number => n !== null);
  for (const r of misses) {
    const language =
      r.language === (r.case.language ?? 'en') ? '' : `, in ${r.language} instead of ${r.case.language ?? 'en'}`;
    console.log(
      `\nMISS ${r.case.id}: expected ${key(r, false)}, got ${key(r, true)}${language}${r.case.note ? ` (${r.case.note})` : ''}`,
    );
    for (const t of r.turns) console.log(`  > ${t.text}\n    ${t.reply ?? '(no reply)'}`);
  }
  if (values.verbose) for (const r of results.filter((x) => x.silences > 0)) console.log(`silence in ${r.case.id}`);
  const agreement = (results.length - misses.length) / results.length;
  console.log(
    `\nagreement ${(agreement * 100).toFixed(1)}% (${results.length - misses.length}/${results.length}), ` +
      `SOC 1 <-> SOC 2 swaps ${swaps.length}, opted out ${optedOut.length}, silent turns ${silences}, ` +
      `median segments to verdict ${median(toVerdict) ?? '-'}`,
  );
  if (agreement < minAgreement || swaps.length > 0 || optedOut.length > 0) {
    console.log(`FAIL: needs at least ${minAgreement * 100}% agreement, no swaps and no opt-outs`);
    failed = true;
  }
}
