import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from '../../src/adapters/slack/limit-concurrency.js';

/** A few turns of the event loop: what a settled task frees starts within them. */
async function turns(): Promise<void> {
  for (let i = 0; i < 3; i++) await turn();
}

/** A task the test finishes by hand, and whether it has started. */
function gate<T>(value: T) {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const state = { started: false };
  const done = new Promise<T>((resolve, reject) => {
    open = () => resolve(value);
    fail = reject;
  });
  return {
    state,
    open,
    fail,
    task: () => {
      state.started = true;
      return done;
    },
  };
}

describe('createConcurrencyLimit', () => {
  it('starts a task only after the caller has returned, on a later turn', async () => {
    const limit = createConcurrencyLimit(2);
    const a = gate('a');
    const result = limit.run(a.task);
    expect(a.state.started).toBe(false);
    await turn();
    expect(a.state.started).toBe(true);
    a.open();
    await expect(result).resolves.toBe('a');
  });

  it('runs at most max at once and starts the waiting ones in arrival order', async () => {
    const limit = createConcurrencyLimit(2);
    const gates = ['a', 'b', 'c', 'd'].map(gate);
    const started: string[] = [];
    const results = gates.map((g, i) =>
      limit.run(() => {
        started.push(['a', 'b', 'c', 'd'][i] ?? '?');
        return g.task();
      }),
    );
    await turns();
    expect(started).toEqual(['a', 'b']);
    expect(limit.size).toBe(4);
    gates[1]?.open();
    await results[1];
    await turns();
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0]?.open();
    await results[0];
    await turns();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2]?.open();
    gates[3]?.open();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
    expect(limit.size).toBe(0);
  });

  it('frees the place of a task that fails, and hands its error to the caller', async () => {
    const limit = createConcurrencyLimit(1);
    const failing = limit.run(() => {
      throw new Error('no store');
    });
    const next = gate('next');
    const after = limit.run(next.task);
    await expect(failing).rejects.toThrow('no store');
    await turns();
    expect(next.state.started).toBe(true);
    next.open();
    await expect(after).resolves.toBe('next');
  });

  it('idle resolves once everything running and waiting has settled', async () => {
    const limit = createConcurrencyLimit(1);
    await expect(limit.idle()).resolves.toBeUndefined();
    const a = gate('a');
    const b = gate('b');
    void limit.run(a.task);
    void limit.run(b.task);
    let idle = false;
    void limit.idle().then(() => (idle = true));
    await turns();
    a.open();
    await turns();
    await turns();
    expect(b.state.started).toBe(true);
    expect(idle).toBe(false);
    b.open();
    await turns();
    await turns();
    expect(idle).toBe(true);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => createConcurrencyLimit(0)).toThrow(/whole number >= 1/);
    expect(() => createConcurrencyLimit(1.5)).toThrow(/whole number >= 1/);
  });
});
