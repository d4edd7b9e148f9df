import { describe, expect, it } from 'vitest';
import { COMMAND_LIMITS, createCommandGate } from '../../src/adapters/twilio/advisor-command-gate.js';

const MINUTE = 60_000;

describe('the gate in front of PJ’s commands', () => {
  it('with a PIN, passes on what follows it and nothing else', () => {
    const gate = createCommandGate({ pin: '5831', ...COMMAND_LIMITS });
    expect(gate.admit('5831 42 on my way', 0)).toEqual({ ok: true, text: '42 on my way' });
    expect(gate.admit('  5831\n42 line one\nline two ', 1)).toEqual({ ok: true, text: '42 line one\nline two' });
    expect(gate.admit('5831', 2)).toEqual({ ok: true, text: '' });
  });

  it.each([
    ['42 on my way', '42 on my way'],
    ['1111 42 on my way', '42 on my way'],
    ['58311 42 close', '42 close'],
    ['583 42 close', '583 42 close'],
    ['5831list', '5831list'],
    ['123456789012 list', 'list'],
    ['', ''],
  ])('refuses %j without running it, reporting it as %j (a PIN-like first word left out)', (text, command) => {
    const gate = createCommandGate({ pin: '5831', ...COMMAND_LIMITS });
    expect(gate.admit(text, 0)).toEqual({ ok: false, reason: 'pin', command });
  });

  it('after 5 wrong PINs in 15 minutes refuses even the right one, until the oldest is 15 minutes old', () => {
    const gate = createCommandGate({ pin: '5831', ...COMMAND_LIMITS });
    for (let i = 0; i < 5; i++) expect(gate.admit('0000 list', i * MINUTE)).toMatchObject({ ok: false, reason: 'pin' });
    expect(gate.admit('5831 list', 5 * MINUTE)).toEqual({ ok: false, reason: 'locked', command: 'list' });
    expect(gate.admit('5831 list', 15 * MINUTE - 1)).toMatchObject({ ok: false, reason: 'locked' });
    expect(gate.admit('5831 list', 15 * MINUTE)).toEqual({ ok: true, text: 'list' });
  });

  it('passes at most 20 texts a minute, PIN or not, and counts a minute from each', () => {
    for (const pin of [null, '5831']) {
      const gate = createCommandGate({ pin, ...COMMAND_LIMITS });
      const text = pin === null ? 'list' : `${pin} list`;
      for (let i = 0; i < 20; i++) expect(gate.admit(text, i * 1000)).toEqual({ ok: true, text: 'list' });
      expect(gate.admit(text, 59_999)).toEqual({ ok: false, reason: 'rate', command: 'list' });
      expect(gate.admit(text, 60_000)).toEqual({ ok: true, text: 'list' });
      expect(gate.admit(text, 60_001)).toMatchObject({ ok: false, reason: 'rate' });
    }
  });

  it('without a PIN, passes the text as it came', () => {
    const gate = createCommandGate({ pin: null, ...COMMAND_LIMITS });
    expect(gate.admit('1234 42 hi', 0)).toEqual({ ok: true, text: '1234 42 hi' });
  });
});
