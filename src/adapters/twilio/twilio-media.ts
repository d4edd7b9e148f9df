import type { DownloadResult } from '../../core/media.js';

/** Downloads one attachment a client sent; never throws. */
export type MediaDownloader = (url: string, contentType: string) => Promise<DownloadResult>;

interface TwilioMediaOptions {
  accountSid: string;
  authToken: string;
  /** TWILIO_API_URL: the origin that also gets the credentials (a proxy or a stand-in for api.twilio.com). */
  apiUrl?: string;
  /** The cap on one file, in bytes; a larger one is left as a link. */
  maxBytes: number;
  timeoutMs?: number;
}

const TWILIO_API = 'https://api.twilio.com';
const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MS = 20_000;

const failed = (reason: string, retryable: boolean): DownloadResult => ({
  ok: false,
  tooLarge: false,
  retryable,
  reason,
});
const tooLarge = (maxBytes: number): DownloadResult => ({
  ok: false,
  tooLarge: true,
  retryable: false,
  reason: `larger than ${maxBytes} bytes`,
});

/** The body, read until it is done or passes `maxBytes` (then null, and the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function statusResult(status: number, origin: string): DownloadResult {
  if (status === 401 || status === 403) {
    return failed(`${origin} answered HTTP ${status}: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN`, false);
  }
  return failed(`${origin} answered HTTP ${status}`, status === 429 || status >= 500);
}

/**
 * Downloads Twilio's MMS media (MediaUrlN), with the account's credentials where Twilio protects
 * media (HTTP basic auth): sent only to Twilio's own API origin, never to where it redirects (its
 * media store hands out signed links). A file over `maxBytes` is not kept; 429, 5xx, timeouts and
 * network failures are worth another try, other refusals are not.
 */
export function createTwilioMediaDownloader(options: TwilioMediaOptions): MediaDownloader {
  const { maxBytes } = options;
  const trusted = new Set([TWILIO_API, ...(options.apiUrl ? [new URL(options.apiUrl).origin] : [])]);
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async (url, contentType) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return failed('not a URL', false);
    }
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
        if (target.protocol !== 'https:' && !trusted.has(target.origin))
          return failed(`not an https link: ${target.origin}`, false);
        const headers = trusted.has(target.origin) ? { Authorization: authorization } : undefined;
        const response = await fetch(target, { redirect: 'manual', signal, ...(headers && { headers }) });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel();
          target = new URL(location, target);
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          return statusResult(response.status, target.origin);
        }
        const declared = Number(response.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > maxBytes) {
          await response.body?.cancel();
          return tooLarge(maxBytes);
        }
        const bytes = await readCapped(response, maxBytes);
        if (bytes === null) return tooLarge(maxBytes);
        return {
          ok: true,
          contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || contentType,
          bytes,
        };
      }
      return failed(`more than ${MAX_REDIRECTS} redirects`, false);
    } catch (error) {
      // A timeout, a reset, a refused connection: nothing that names the credentials.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return failed(`could not download: ${reason}`, true);
    }
  };
}
