import { describe, expect, it } from 'vitest';
import { csvCell, renderLeadsCsv } from '../../src/adapters/http/leads-csv.js';
import { createCalendar } from '../../src/core/calendar.js';
import type { PipelineRow } from '../../src/core/pipeline.js';

describe('the lead list as CSV', () => {
  it("puts a ' before a cell a spreadsheet would run, and quotes what CSV must", () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+14155550101')).toBe("'+14155550101");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('\r=cmd')).toBe('"\'\r=cmd"');
    expect(csvCell('=HYPERLINK("http://x","go"), ok')).toBe('"\'=HYPERLINK(""http://x"",""go""), ok"');
    expect(csvCell('payroll, "for dentists"\nand more')).toBe('"payroll, ""for dentists""\nand more"');
    expect(csvCell('a = b')).toBe('a = b');
    expect(csvCell('')).toBe('');
  });

  it('starts with a UTF-8 BOM and a header, one CRLF row per conversation, times in the zone', () => {
    const row: PipelineRow = {
      id: 7,
      channel: 'sms',
      participant: '+14155550101',
      status: 'waiting',
      awaiting: null,
      answers: { product: 'Zahnärzte SaaS', asker: 'their IT' },
      verdict: 'soc2',
      side: 'client',
      flags: ['cost', 'human'],
      createdAt: Date.UTC(2026, 0, 6, 8, 5),
      updatedAt: Date.UTC(2026, 0, 6, 9, 0),
      flaggedAt: null,
      advisorRepliedAt: null,
      basis: null,
      review: { verdict: 'soc1', note: 'books', at: 0, botLabel: 'soc2', rulesVersion: null },
    };
    const lines = renderLeadsCsv([row], createCalendar('America/Los_Angeles')).split('\r\n');
    expect(lines[0]?.startsWith('\uFEFFid,created,channel,')).toBe(true);
    expect(lines[1]).toBe(
      "7,2026-01-06 00:05,sms,'+14155550101,Zahnärzte SaaS,their IT,soc2,client,cost human,waiting,2026-01-06 01:00,soc1,books",
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });
});
