import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import type { Logger } from '../../core/logger.js';

/** How many wrong tokens one client address may send, and over how long. */
export interface AuthLimits {
  /** Wrong tokens within `windowMs` after which the address gets 429 until the oldest ages out. */
  failures: number;
  windowMs: number;
  /** Addresses remembered at most; past that the least recent is forgotten. */
  maxAddresses: number;
}

const DEFAULT_AUTH_LIMITS: AuthLimits = { failures: 10, windowMs: 15 * 60_000, maxAddresses: 10_000 };

/** Wrong admin tokens by client address, in this process only (each instance counts its own). */
export interface FailedAuthLimiter {
  /** How long `address` must wait before it may try again (ms), or 0. */
  waitMs(address: string, now: number): number;
  /** Counts a wrong token; returns how long the address must now wait (ms), or 0. */
  fail(address: string, now: number): number;
  /** A right token: the address starts afresh. */
  succeed(address: string): void;
}

export function createFailedAuthLimiter(limits: AuthLimits = DEFAULT_AUTH_LIMITS): FailedAuthLimiter {
  /** Each address's recent failures, oldest first; a Map keeps the least recently failed address first. */
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] =>
    (failures.get(key) ?? []).filter((at) => at > now - limits.windowMs);
  const wait = (times: number[], now: number): number =>
    times.length >= limits.failures
      ? Math.max(1, (times[times.length - limits.failures] ?? now) + limits.windowMs - now)
      : 0;

  function makeRoom(now: number): void {
    for (const [key, times] of failures) {
      if ((times.at(-1) ?? 0) <= now - limits.windowMs) failures.delete(key);
    }
    // Still full (many addresses at once): forget the least recently failed ones.
    for (const key of failures.keys()) {
      if (failures.size < limits.maxAddresses) break;
      failures.delete(key);
    }
  }

  return {
    waitMs: (address, now) => wait(recent(addressKey(address), now), now),
    fail(address, now) {
      const key = addressKey(address);
      const times = [...recent(key, now), now].slice(-limits.failures);
      failures.delete(key);
      if (failures.size >= limits.maxAddresses) makeRoom(now);
      failures.set(key, times);
      return wait(times, now);
    },
    succeed(address) {
      failures.delete(addressKey(address));
    },
  };
}

/** The eight 16-bit groups of an IPv6 address ("::" expanded, an IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] {
  const [bare = ''] = address.split('%');
  const [head = '', tail] = bare.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [a * 256 + b, c * 256 + d];
        });
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(Math.max(0, 8 - front.length - back.length)).fill(0), ...back];
}

/**
 * Who a limit applies to: an IPv4 address (also when written IPv4-mapped, ::ffff:1.2.3.4), or an
 * IPv6 address's /64, which one client usually holds whole.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!isIPv6(address.split('%')[0] ?? '')) return address;
  return `${ipv6Groups(address)
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

interface RequireTokenOptions {
  token: string;
  logger: Logger;
  limiter: FailedAuthLimiter;
  now: () => number;
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` or 401. A client address that sent too many wrong tokens
 * gets 429 with Retry-After, whatever it sends, until its oldest failure ages out; a request with
 * no token at all guesses nothing and is not counted. The address is the connection's, or the
 * proxy header's when TRUST_PROXY says so (Express's `trust proxy`, set in create-server.ts).
 */
export function requireToken(options: RequireTokenOptions): RequestHandler {
  const { token, logger, limiter, now } = options;
  return (req, res, next) => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const waiting = limiter.waitMs(address, now());
    if (waiting > 0) {
      const seconds = Math.ceil(waiting / 1000);
      logger.debug({ path: req.path, address }, 'refused admin request: too many wrong tokens from this address');
      res
        .status(429)
        .set('Retry-After', String(seconds))
        .json({
          error: 'too_many_attempts',
          message: `too many wrong tokens from this address; try again in ${seconds} s`,
        });
      return;
    }
    const header = req.header('Authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (given !== '' && sameSecret(given, token)) {
      limiter.succeed(address);
      next();
      return;
    }
    logger.warn({ path: req.path, address }, 'rejected admin request: send Authorization: Bearer <ADMIN_TOKEN>');
    if (given !== '') {
      const locked = limiter.fail(address, now());
      if (locked > 0) {
        logger.warn(
          { address, retryAfterSeconds: Math.ceil(locked / 1000) },
          'admin API: too many wrong tokens from one address; it gets 429 until they age out (check TRUST_PROXY if every client shows one address)',
        );
      }
    }
    res.status(401).json({ error: 'unauthorized', message: 'send Authorization: Bearer <ADMIN_TOKEN>' });
  };
}
