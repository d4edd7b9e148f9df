/** At most `limit` requests per key in each window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimiter {
  /** Counts one request for `key` at `now`: null when allowed, else the seconds until it would be. */
  take(key: string, now: number): number | null;
  /** Keys it holds a window for: those counted within about the last two windows. */
  readonly keys: number;
}

/**
 * Fixed windows per key, in this process's memory: several instances each allow the limit (the
 * point is to stop one browser or one address flooding the bot, not exact accounting). Keys of
 * windows that ended are dropped as new ones are counted, so memory follows the active keys.
 */
export function createRateLimiter({ limit, windowMs }: RateLimit): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return {
    take(key, now) {
      if (now - lastSweep >= windowMs) {
        for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
        lastSweep = now;
      }
      const current = windows.get(key);
      if (current === undefined || now - current.start >= windowMs) {
        windows.set(key, { start: now, count: 1 });
        return null;
      }
      if (current.count >= limit) return Math.max(1, Math.ceil((current.start + windowMs - now) / 1000));
      current.count += 1;
      return null;
    },
    get keys() {
      return windows.size;
    },
  };
}
