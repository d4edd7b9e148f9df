import twilio from 'twilio';
import { DeliveryError } from '../../core/delivery-error.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { Flow } from '../../core/flow.js';
import type { AdvisorNotifier, ClientSender } from '../../core/ports.js';
import { renderNotice } from '../../core/render-notice.js';
import type { Advisor } from '../../core/render-reply.js';

/** Texts a phone number through Twilio; resolves to the message SID. Throws DeliveryError. */
export interface TwilioSender {
  send(to: string, text: string): Promise<string>;
}

interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** The bot's number (TWILIO_PHONE_NUMBER). */
  from: string;
  /** TWILIO_API_URL: a stand-in or proxy for https://api.twilio.com; nothing else changes. */
  apiUrl?: string;
  /** Where Twilio posts delivery statuses (PUBLIC_BASE_URL + /twilio/status). */
  statusCallback?: string;
  keepAlive?: boolean;
  /** How long one request may take; keep it well under the outbox lease. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

type RequestOptions = Parameters<twilio.RequestClient['request']>[0];

/** Twilio's HTTP client, sending every request to `apiUrl` (path and query kept) instead. */
class RedirectedRequestClient extends twilio.RequestClient {
  readonly apiUrl: string;

  constructor(apiUrl: string, options: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(options);
    this.apiUrl = apiUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    const original = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: this.apiUrl + original.pathname + original.search });
  }
}

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/** Twilio's words without the phone numbers they may quote (log lines mask numbers). */
function scrub(message: string): string {
  return message.replace(/\+\d{7,15}/g, (n) => maskParticipant(n));
}

/** 429, 5xx and network failures are worth retrying; other 4xx are Twilio's final answer. */
function toDeliveryError(error: unknown): DeliveryError {
  const status = field(error, 'status');
  const code = field(error, 'code');
  const message = scrub(error instanceof Error ? error.message : String(error));
  if (typeof status === 'number') {
    const twilioCode = typeof code === 'number' && code > 0 ? String(code) : String(status);
    const retryable = status === 429 || status >= 500;
    return new DeliveryError(`Twilio answered HTTP ${status}: ${message}`, {
      retryable,
      code: twilioCode,
      cause: error,
    });
  }
  // No HTTP status: the request never got an answer (refused, reset, timed out). The cause is left
  // out on purpose: axios errors carry the request config, Authorization header included.
  const networkCode = typeof code === 'string' && code !== '' ? code : 'network';
  return new DeliveryError(`Twilio could not be reached: ${message}`, { retryable: true, code: networkCode });
}

/** Sends SMS through Twilio's Messages API; resolves to the message SID. */
export function createTwilioSender(options: TwilioSenderOptions): TwilioSender {
  const { accountSid, authToken, from, apiUrl, statusCallback } = options;
  const clientOptions = { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, keepAlive: options.keepAlive ?? true };
  // NOTE: twilio ignores its own timeout/keepAlive options once an httpClient is given, so they go here.
  const httpClient =
    apiUrl === undefined ? new twilio.RequestClient(clientOptions) : new RedirectedRequestClient(apiUrl, clientOptions);
  const client = twilio(accountSid, authToken, { httpClient });
  return {
    async send(to, text) {
      let sid: unknown;
      try {
        const message = await client.messages.create({
          to,
          from,
          body: text,
          ...(statusCallback && { statusCallback }),
        });
        sid = message.sid;
      } catch (error) {
        throw toDeliveryError(error);
      }
      // Twilio took the message but named no SID: it may go out, so this is not a retryable failure.
      if (typeof sid !== 'string' || sid === '') throw new Error('Twilio accepted the message but returned no SID');
      return sid;
    },
  };
}

/** SMS clients: a text to the conversation's number. */
export function createSmsClientSender(sender: TwilioSender): ClientSender {
  return { send: (conversation, text) => sender.send(conversation.participant, text) };
}

/** PJ's phone at `to`: each notice as one short text. */
export function createSmsAdvisorNotifier(
  sender: TwilioSender,
  to: string,
  flow: Flow,
  advisor: Advisor,
): AdvisorNotifier {
  return { notify: (notice, conversation) => sender.send(to, renderNotice(notice, conversation, flow, advisor)) };
}
