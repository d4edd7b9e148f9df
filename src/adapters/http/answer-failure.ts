import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.js';
import { StoreUnavailableError } from '../../core/store-unavailable.js';

/** A JSON answer with node's own response: the webhook's fast path has no express around it. */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}

/**
 * What a request that failed is answered, for express's error handler and the webhook's fast path
 * alike: 503 with Retry-After when the database is unreachable (nothing was saved; Slack retries a
 * 5xx, and Twilio too with the webhook's #rp=... override), the 4xx a body parser chose, else 500;
 * each with a log line that says what to check.
 */
export function answerFailure(error: unknown, path: string, res: ServerResponse, logger: Logger): void {
  if (error instanceof StoreUnavailableError) {
    logger.error(
      { err: error, path },
      'database unreachable: answered 503 so the provider retries; check DATABASE_URL and the server',
    );
    if (!res.headersSent)
      sendJson(
        res,
        503,
        { error: 'store_unavailable', message: 'the database is unreachable; retry shortly' },
        { 'Retry-After': '5' },
      );
    return;
  }
  // Body parsers reject what they cannot read (too large, bad charset, broken JSON) with a 4xx.
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : 500;
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'bad request';
    logger.warn({ path, status }, `rejected request body: ${message}`);
    if (!res.headersSent) sendJson(res, status, { error: 'bad_request', message });
    return;
  }
  logger.error({ err: error, path }, 'request failed; the client may retry it safely');
  if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'something went wrong; retry later' });
}
