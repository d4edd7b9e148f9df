import type { Request, Response } from 'express';
import type { Logger } from '../../core/logger.js';
import type { WebSessions } from './web-session.js';

/** Answers 429 with Retry-After and what was too much. */
export function tooMany(res: Response, retryAfter: number, what: string): void {
  res
    .set('Retry-After', String(retryAfter))
    .status(429)
    .json({ error: 'rate_limited', message: `${what}; try again in ${retryAfter} s` });
}

/** The address a request came from: behind proxies, the client's only when TRUST_PROXY names them. */
export const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * The session a request carries (Authorization: Bearer, or ?session= where EventSource cannot
 * send headers), verified; otherwise it answers 401 and resolves to null.
 */
export type SessionOf = (req: Request, res: Response, fromQuery?: boolean) => Promise<string | null>;

export function createSessionOf(sessions: () => Promise<WebSessions>, logger: Logger): SessionOf {
  return async (req, res, fromQuery = false) => {
    const header = req.header('Authorization') ?? '';
    const query = fromQuery && typeof req.query.session === 'string' ? req.query.session : '';
    const session = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : query;
    if (session !== '' && (await sessions()).verify(session)) return session;
    logger.warn({ path: req.path }, 'refused a web chat request without a valid session: POST /web/sessions gives one');
    res.status(401).json({ error: 'bad_session', message: 'no valid session: create one with POST /web/sessions' });
    return null;
  };
}

/** Runs a session's requests that change it one at a time, in arrival order (this instance). */
export type InTurn = <T>(session: string, work: () => Promise<T>) => Promise<T>;

export function createInTurn(): InTurn {
  const running = new Map<string, Promise<unknown>>();
  return (session, work) => {
    const result = (running.get(session) ?? Promise.resolve()).then(work, work);
    const tail = result.catch(() => undefined);
    running.set(session, tail);
    void tail.then(() => running.get(session) === tail && running.delete(session));
    return result;
  };
}
