import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTwilioInbound } from '../../src/adapters/twilio/twilio-inbound.js';
import { parseSavedRow } from '../../src/adapters/sqlite/sqlite-rows.js';

// The usual webhook and the usual saved row are checked by hand (issue 11); whatever arrives, the
// answer must be the schema's. NumMedia "00" is the same zero to the schema but never takes the
// short way, so it reads the same body through the schema alone.

const sid = fc.oneof(
  fc.stringMatching(/^(SM|MM)[0-9a-fA-F]{32}$/),
  fc.constantFrom('SM123', `XX${'a'.repeat(32)}`, `SM${'g'.repeat(32)}`, `SM${'0'.repeat(33)}`, ''),
);
const phone = fc.oneof(
  fc.stringMatching(/^\+[1-9]\d{6,14}$/),
  fc.constantFrom('+0123456789', '4155550100', '+1415555', '+1234567890123456', '', ' +14155550100'),
);
const optionalText = (max: number) =>
  fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: max - 2, maxLength: max + 2 })), {
    nil: undefined,
  });

const body = fc.record(
  {
    MessageSid: fc.oneof(sid, fc.constant(undefined)),
    From: fc.oneof(phone, fc.constant(undefined)),
    To: fc.oneof(fc.constantFrom('', '+18585550100'), fc.string({ maxLength: 5 })),
    Body: optionalText(1600),
    NumMedia: fc.constantFrom(undefined, '0', '1'),
    FromState: fc.option(fc.constantFrom('CA', ' ca ', '', 'California', 'ON'), { nil: undefined }),
  },
  { requiredKeys: [] },
);

describe('parseTwilioInbound', () => {
  it('reads every body as the schema does', () => {
    fc.assert(
      fc.property(body, (fields) => {
        const viaSchema = parseTwilioInbound({ ...fields, NumMedia: fields.NumMedia === '1' ? '1' : '00' }, 5);
        const here = parseTwilioInbound(fields, 5);
        if (fields.NumMedia === '1') return;
        expect(here).toEqual(viaSchema);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a body that is not an object to the schema', () => {
    expect(parseTwilioInbound(null, 1)).toMatchObject({ ok: false });
    expect(parseTwilioInbound('Body=hi', 1)).toMatchObject({ ok: false });
  });
});

describe('parseSavedRow', () => {
  it('reads the usual row and refuses the rest as the schema does', () => {
    const row = { id: 3, machine_version: 7, snapshot: '{"value":"x"}', version: 2 };
    expect(parseSavedRow(row)).toEqual({ saved: { id: 3, machineVersion: 7, snapshot: { value: 'x' } }, version: 2 });
    for (const bad of [
      { ...row, snapshot: '{not json' },
      { ...row, id: 1.5 },
      { ...row, version: '2' },
      { ...row, machine_version: 2 ** 60 },
      { ...row, snapshot: null },
      null,
    ])
      expect(() => parseSavedRow(bad)).toThrow();
  });
});
