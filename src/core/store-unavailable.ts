/**
 * The database cannot be reached right now (refused, lost or timed-out connection, a server
 * shutting down). Nothing was saved; the same request may be retried once it is back, so the
 * HTTP adapter answers 503 and the providers retry.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StoreUnavailableError';
  }
}
