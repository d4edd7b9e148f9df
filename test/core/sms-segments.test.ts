import { describe, expect, it } from 'vitest';
import { countSegments, findNonGsmCharacters, isGsm7 } from '../../src/core/sms-segments.js';

describe('countSegments in GSM-7', () => {
  it.each([
    [0, 1],
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])('%i plain characters cost %i segment(s)', (length, segments) => {
    expect(countSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', units: length, segments });
  });

  it('counts the basic-table accents and Greek capitals as one unit each', () => {
    const text = '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà';
    expect(isGsm7(text)).toBe(true);
    expect(countSegments(text)).toEqual({ encoding: 'GSM-7', units: [...text].length, segments: 1 });
  });

  const extensionCharacters = ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f'];
  it.each(extensionCharacters)('counts the extension character %j as two units', (ch) => {
    expect(countSegments(ch)).toEqual({ encoding: 'GSM-7', units: 2, segments: 1 });
  });

  it('lets extension characters push a text over a segment boundary', () => {
    // 158 plain + 1 extension = 160 units: still one segment.
    expect(countSegments(`${'a'.repeat(158)}€`)).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    // 159 plain + 1 extension = 161 units: two segments although it is only 160 characters.
    expect(countSegments(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('[]'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 320, segments: 3 });
  });
});

describe('countSegments in UCS-2', () => {
  it('switches the whole text to UCS-2 for one curly quote', () => {
    const text = `I\u2019m ${'a'.repeat(150)}`;
    const count = countSegments(text);
    expect(count.encoding).toBe('UCS-2');
    expect(count.units).toBe(text.length);
    expect(count.segments).toBe(Math.ceil(text.length / 67));
    // The same text with an ASCII apostrophe fits in one GSM-7 segment.
    expect(countSegments(text.replace('\u2019', "'"))).toEqual({ encoding: 'GSM-7', units: text.length, segments: 1 });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [201, 3],
    [202, 4],
  ])('%i UTF-16 units with a curly quote cost %i segment(s)', (length, segments) => {
    const text = `\u201c${'a'.repeat(length - 1)}`;
    expect(countSegments(text)).toEqual({ encoding: 'UCS-2', units: length, segments });
  });

  it('counts an emoji as two units (a surrogate pair)', () => {
    expect(countSegments('\u{1F600}')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
    expect(countSegments(`${'a'.repeat(68)}\u{1F44D}`)).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments(`${'a'.repeat(69)}\u{1F44D}`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });

  it('counts extension characters as one unit once the text is UCS-2', () => {
    expect(countSegments('\u2014€')).toEqual({ encoding: 'UCS-2', units: 2, segments: 1 });
  });
});

describe('findNonGsmCharacters', () => {
  it('finds nothing in GSM-7 text, extension characters included', () => {
    expect(findNonGsmCharacters("Hi, I'm PJ's bot: 858-461-8054. {x} [y] ~ | ^ € \\")).toEqual([]);
    expect(isGsm7('')).toBe(true);
  });

  it('lists each offender once, in order of first appearance', () => {
    const text = 'It\u2019s \u201cdone\u201d \u2014 really\u2026 \u{1F44D} \u2019';
    expect(findNonGsmCharacters(text)).toEqual(['\u2019', '\u201c', '\u201d', '\u2014', '\u2026', '\u{1F44D}']);
    expect(isGsm7(text)).toBe(false);
  });

  it('returns an emoji as one whole character, not two surrogate halves', () => {
    expect(findNonGsmCharacters('ok \u{1F600}')).toEqual(['\u{1F600}']);
  });

  it('flags characters that look like GSM-7 but are not in the alphabet', () => {
    // A tab, a non-breaking space and a backtick are all outside GSM 03.38.
    expect(findNonGsmCharacters('a\tb\u00a0c`')).toEqual(['\t', '\u00a0', '`']);
  });
});
