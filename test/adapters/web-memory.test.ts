import { describe, expect, it } from 'vitest';
import { createWakeups } from '../../src/adapters/web/web-events-stream.js';
import { createRateLimiter } from '../../src/adapters/web/web-rate-limit.js';

// What the web chat keeps in memory per session or address must go once they are idle: RSS stays
// flat however many visitors came (issue 11).

describe('the web chat forgets idle sessions and addresses', () => {
  it('the rate limiter holds only the keys of recent windows, however many came before', () => {
    const limiter = createRateLimiter({ limit: 20, windowMs: 60_000 });
    for (let i = 0; i < 10_000; i += 1) limiter.take(`address-${i}`, i);
    expect(limiter.keys).toBe(10_000);
    // A window later, the first request sweeps every window that ended.
    limiter.take('one more', 70_000);
    expect(limiter.keys).toBe(1);
  });

  it('the wake-ups hold no session once its streams stopped waiting, woken, timed out or cancelled', async () => {
    const wakeups = createWakeups();
    const woken = Array.from({ length: 500 }, (_, i) => wakeups.wait(`woken-${i}`, 60_000));
    const cancelled = Array.from({ length: 500 }, (_, i) => wakeups.wait(`cancelled-${i}`, 60_000));
    const timedOut = Array.from({ length: 500 }, (_, i) => wakeups.wait(`timed-out-${i}`, 1));
    expect(wakeups.sessions).toBe(1500);
    for (let i = 0; i < 500; i += 1) wakeups.wake(`woken-${i}`);
    for (const wait of cancelled) wait.cancel();
    await Promise.all([...woken, ...cancelled, ...timedOut].map((wait) => wait.done));
    expect(wakeups.sessions).toBe(0);
  });
});
