import type { Calendar } from '../../core/calendar.js';
import type { PipelineRow } from '../../core/pipeline.js';

/** A cell a spreadsheet would run as a formula (or a DDE command) starts with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break; a leading `'` first
 * when it starts like a formula, so `=HYPERLINK(...)` in a client's answer stays text.
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const HEADER = [
  'id',
  'created',
  'channel',
  'number or Slack user',
  'what the product does',
  'who is asking',
  'verdict',
  'side',
  'flags',
  'status',
  'last activity',
  'PJ review',
  'PJ note',
];

/** The lead list as CSV: a UTF-8 BOM (so spreadsheets read it as UTF-8), a header row, one row per conversation; times in the advisor's zone. */
export function renderLeadsCsv(rows: readonly PipelineRow[], calendar: Calendar): string {
  const lines = [
    HEADER,
    ...rows.map((row) => [
      String(row.id),
      calendar.timeOf(row.createdAt),
      row.channel,
      row.participant,
      row.answers.product ?? '',
      row.answers.asker ?? '',
      row.verdict ?? '',
      row.side,
      row.flags.join(' '),
      row.status,
      calendar.timeOf(row.updatedAt),
      row.review?.verdict ?? '',
      row.review?.note ?? '',
    ]),
  ];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
