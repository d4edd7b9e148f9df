import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A web chat session id: 16 random bytes and their HMAC-SHA256 (truncated to 16 bytes) under the
 * server's secret, both base64url, joined by a dot. It holds nothing about the visitor; the
 * signature only proves this server issued it, so a guessed or altered id is refused.
 */
export interface WebSessions {
  create(): string;
  /** Whether `session` was issued with this secret. */
  verify(session: string): boolean;
}

const SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/** A fresh secret for a server without WEB_SESSION_SECRET (kept in its database). */
export function generateSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function createWebSessions(secret: string): WebSessions {
  const sign = (id: string) => createHmac('sha256', secret).update(`web-session:${id}`).digest().subarray(0, 16);
  return {
    create() {
      const id = randomBytes(16).toString('base64url');
      return `${id}.${sign(id).toString('base64url')}`;
    },
    verify(session) {
      if (!SHAPE.test(session)) return false;
      const [id = '', mac = ''] = session.split('.');
      // Compared as text: base64url has several spellings of the same bytes, and the session id
      // is the participant, so only the one this server wrote is that session.
      const expected = Buffer.from(sign(id).toString('base64url'));
      const given = Buffer.from(mac);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
