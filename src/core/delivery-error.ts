/**
 * A message a provider did not take. `retryable` failures (429, 5xx, network, timeout) are tried
 * again later; the others are final. `code` is the provider's ("21610" = the recipient opted out).
 */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly code: string;

  constructor(message: string, options: { retryable: boolean; code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.code = options.code;
  }
}
