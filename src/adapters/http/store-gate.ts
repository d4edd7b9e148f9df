import type { RequestHandler } from 'express';
import type { Logger } from '../../core/logger.js';
import { StoreUnavailableError } from '../../core/store-unavailable.js';

/**
 * For routes whose work runs after the request is acknowledged (Slack: Bolt acks at once and the
 * listeners run afterwards): checks the database answers before letting the request in, and
 * answers 503 when it does not, so the sender retries later instead of getting a 200 for work that
 * then fails. Slack retries a 5xx (with the same event_id, deduplicated once the work is stored).
 */
export function storeGate(ping: () => Promise<void>, logger: Logger): RequestHandler {
  return (req, res, next) => {
    ping().then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof StoreUnavailableError)) return next();
        logger.error(
          { err: error, path: req.originalUrl },
          'database unreachable: answered 503 before acknowledging, so the sender retries; check DATABASE_URL and the server',
        );
        res
          .status(503)
          .set('Retry-After', '5')
          .json({ error: 'store_unavailable', message: 'the database is unreachable; retry shortly' });
      },
    );
  };
}
