import { describe, expect, it } from 'vitest';
import { addressKey, createFailedAuthLimiter } from '../../src/adapters/http/admin-auth.js';

const MINUTE = 60_000;

describe('failed admin tokens by address', () => {
  it('holds an address back from its 3rd failure until the oldest of them ages out of the window', () => {
    const limiter = createFailedAuthLimiter({ failures: 3, windowMs: 10 * MINUTE, maxAddresses: 100 });
    expect(limiter.fail('192.0.2.1', 0)).toBe(0);
    expect(limiter.fail('192.0.2.1', 2 * MINUTE)).toBe(0);
    expect(limiter.fail('192.0.2.1', 4 * MINUTE)).toBe(6 * MINUTE);
    expect(limiter.waitMs('192.0.2.1', 5 * MINUTE)).toBe(5 * MINUTE);
    expect(limiter.waitMs('192.0.2.2', 5 * MINUTE)).toBe(0);
    // The first failure ages out: one more try, and a 3rd failure in the window holds it again.
    expect(limiter.waitMs('192.0.2.1', 10 * MINUTE)).toBe(0);
    expect(limiter.fail('192.0.2.1', 10 * MINUTE)).toBe(2 * MINUTE);
    limiter.succeed('192.0.2.1');
    expect(limiter.waitMs('192.0.2.1', 10 * MINUTE)).toBe(0);
  });

  it('remembers a bounded number of addresses, forgetting the stale first, then the least recent', () => {
    const limiter = createFailedAuthLimiter({ failures: 2, windowMs: MINUTE, maxAddresses: 3 });
    limiter.fail('192.0.2.1', 0);
    limiter.fail('192.0.2.1', 0);
    limiter.fail('192.0.2.2', 30_000);
    limiter.fail('192.0.2.2', 30_000);
    limiter.fail('192.0.2.3', 30_000);
    // 192.0.2.1's failures are stale by now: it goes, 192.0.2.2 stays held.
    limiter.fail('192.0.2.4', 61_000);
    expect(limiter.waitMs('192.0.2.2', 61_000)).toBe(29_000);
    limiter.fail('192.0.2.5', 62_000);
    expect(limiter.waitMs('192.0.2.2', 62_000)).toBe(0);
  });

  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0000:ffff::2', '2001:db8:0:0::/64'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
