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

/** Twilio's error code for a recipient who opted out (replied STOP): nothing more can be sent. */
export const OPTED_OUT_CODE = '21610';

/** A text to the client that was not delivered, or may not have been. */
export interface DeliveryOutcome {
  /** failed: the provider refused or gave up; unknown: the bot stopped mid-send. */
  problem: 'failed' | 'unknown';
  /** The provider's error code, if any; 21610 also opts the client out. */
  code: string | null;
  /** Shown to PJ, e.g. "30003" or "21211: not a valid phone number". */
  detail: string;
}
