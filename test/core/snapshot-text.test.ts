import { describe, expect, it } from 'vitest';
import { packSnapshot, snapshotTextOf, unpackSnapshot, withSnapshotText } from '../../src/core/snapshot-text.js';

const TEXT = '{"value":{"open":{"bot":"askingProduct"}},"context":{"greeted":true}}';

/** A parse that counts its calls. */
function counting() {
  const calls: string[] = [];
  return {
    calls,
    parse: (text: string): unknown => {
      calls.push(text);
      return JSON.parse(text) as unknown;
    },
  };
}

describe('snapshot text', () => {
  it('parses the snapshot only when read, once, and keeps the text it came from', () => {
    const { calls, parse } = counting();
    const saved = withSnapshotText({ id: 3, machineVersion: 2 }, TEXT, parse);
    expect(calls).toEqual([]);
    expect(snapshotTextOf(saved)).toBe(TEXT);
    expect(saved.snapshot).toEqual(JSON.parse(TEXT));
    expect(saved.snapshot).toBe(saved.snapshot);
    expect(calls).toHaveLength(1);
    expect(saved).toEqual({ id: 3, machineVersion: 2, snapshot: JSON.parse(TEXT) });
  });

  it('crosses a thread as text (a structured clone) and comes back whole, parsed only when read there', () => {
    const { calls, parse } = counting();
    const saved = withSnapshotText({ id: 3, machineVersion: 2, held: [{ id: 9, notBefore: 1 }] }, TEXT, parse);
    const packed = structuredClone(packSnapshot(saved));
    expect(calls).toEqual([]);
    expect(packed).toEqual({ id: 3, machineVersion: 2, held: [{ id: 9, notBefore: 1 }], snapshotText: TEXT });
    const there = unpackSnapshot<typeof saved>(packed);
    expect(snapshotTextOf(there)).toBe(TEXT);
    expect(there).toEqual({ id: 3, machineVersion: 2, held: [{ id: 9, notBefore: 1 }], snapshot: JSON.parse(TEXT) });
  });

  it('sends a snapshot without text as JSON written when it is packed', () => {
    const decision = { replies: ['hi'], snapshot: { context: { greeted: true } } };
    const packed = packSnapshot(decision);
    expect(packed).toEqual({ replies: ['hi'], snapshotText: '{"context":{"greeted":true}}' });
    const back = unpackSnapshot<typeof decision>(structuredClone(packed));
    expect(snapshotTextOf(back)).toBe('{"context":{"greeted":true}}');
    expect(back).toEqual(decision);
  });

  it('a copy made with a spread reads the snapshot and holds no text: slower, never wrong', () => {
    const saved = withSnapshotText({ id: 3 }, TEXT);
    const copy = { ...saved };
    expect(snapshotTextOf(copy)).toBeUndefined();
    expect(copy.snapshot).toEqual(JSON.parse(TEXT));
  });
});
