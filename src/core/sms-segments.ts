// NOTE: GSM 03.38 default alphabet; one character outside it turns the whole SMS into UCS-2.
const GSM_BASIC =
  '@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9' +
  ' !"#\u00a4%&\'()*+,-./0123456789:;<=>?\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7\u00bf' +
  'abcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0';
// NOTE: extension characters are sent as ESC + char, so each costs two units.
const GSM_EXTENSION = '^{}\\[~]|\u20ac\f';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  /** GSM-7 septets or UTF-16 code units. */
  units: number;
  segments: number;
}

/** Characters in `text` that are not GSM-7, in order of first appearance. */
export function findNonGsmCharacters(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) found.add(ch);
  return [...found];
}

export function isGsm7(text: string): boolean {
  return findNonGsmCharacters(text).length === 0;
}

/** How many SMS segments a text costs: 160/153 characters in GSM-7, 70/67 in UCS-2. */
export function countSegments(text: string): SegmentCount {
  if (isGsm7(text)) {
    let units = 0;
    for (const ch of text) units += extension.has(ch) ? 2 : 1;
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153) };
  }
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
