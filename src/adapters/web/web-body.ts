import express, { type RequestHandler } from 'express';
import { isLanguage, type Language } from '../../core/languages.js';
import type { Logger } from '../../core/logger.js';

/** The longest text a visitor may send in one message (the widget says so before sending). */
export const MAX_TEXT_LENGTH = 1000;
const MAX_BODY = '8kb';

type Parsed<T> = { ok: true; value: T } | { ok: false; status: 400 | 413; error: string; message: string };

const bad = (message: string): Parsed<never> => ({ ok: false, status: 400, error: 'bad_body', message });

function asObject(body: unknown): Record<string, unknown> | null {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

/** The browser's own id for a message: a retry with the same id gets the same answer. */
function readId(body: Record<string, unknown>): string | null {
  const id = body.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : null;
}

/**
 * The language the panel shows (`language`: "en", "es"): where the conversation is not started,
 * the one it starts in. Anything else is no hint.
 */
export function readLanguage(value: unknown): Language | undefined {
  return typeof value === 'string' && isLanguage(value) ? value : undefined;
}

export type WebMessageBody = ({ id: string; text: string } | { id: string; choice: string }) & {
  /** The panel's language, which a conversation not started yet starts in. */
  language?: Language;
};

/**
 * POST /web/messages: `{ id, text }` or `{ id, choice }`, text only, at most MAX_TEXT_LENGTH
 * characters; `language`, the panel's, is optional.
 */
export function readMessageBody(body: unknown): Parsed<WebMessageBody> {
  const object = asObject(body);
  if (object === null) return bad('send a JSON object like {"id": "...", "text": "..."}');
  const id = readId(object);
  if (id === null) return bad('"id" must be 8 to 64 letters, digits, - or _, made by the browser for this message');
  const language = readLanguage(object.language);
  const hint = language === undefined ? {} : { language };
  if ('choice' in object) {
    if (typeof object.choice !== 'string') return bad('"choice" must be the value of a button, like "product:2"');
    return { ok: true, value: { id, choice: object.choice, ...hint } };
  }
  const text = object.text;
  if (typeof text !== 'string') return bad('send "text" (a string) or "choice"');
  if (text.trim() === '') return bad('"text" is empty: write something to send');
  if (text.length > MAX_TEXT_LENGTH) {
    return {
      ok: false,
      status: 413,
      error: 'too_long',
      message: `"text" is ${text.length} characters; at most ${MAX_TEXT_LENGTH}`,
    };
  }
  return { ok: true, value: { id, text, ...hint } };
}

/** POST /web/contact: `{ contact }`, an email address or a phone number; `language`, the panel's, is optional. */
export function readContactBody(body: unknown): Parsed<{ contact: string; language?: Language }> {
  const object = asObject(body);
  const contact = object?.contact;
  if (typeof contact !== 'string' || contact.trim() === '')
    return bad('send {"contact": "..."}: an email address or a phone number');
  if (contact.length > 200)
    return { ok: false, status: 413, error: 'too_long', message: '"contact" is longer than 200 characters' };
  const language = readLanguage(object?.language);
  return { ok: true, value: { contact: contact.trim(), ...(language !== undefined && { language }) } };
}

/** POST /web/seen: `{ through }`, the id of the last line the panel showed. */
export function readSeenBody(body: unknown): Parsed<{ through: number }> {
  const through = asObject(body)?.through;
  if (typeof through !== 'number' || !Number.isSafeInteger(through) || through < 0)
    return bad('send {"through": <the last line id shown>}');
  return { ok: true, value: { through } };
}

/** express.json for the chat's POSTs, answering what it cannot read with 400 or 413 and a reason. */
export function jsonBody(logger: Logger): RequestHandler {
  const parse = express.json({ limit: MAX_BODY, strict: true, type: () => true });
  return (req, res, next) => {
    if (!req.is('application/json')) {
      res.status(400).json({ error: 'bad_content_type', message: 'send Content-Type: application/json' });
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const tooLarge = (error as { type?: unknown }).type === 'entity.too.large';
      const message = tooLarge
        ? `the body is larger than ${MAX_BODY}`
        : `the body is not valid JSON: ${(error as Error).message}`;
      logger.warn({ path: req.path, reason: message }, 'refused a web chat request body');
      res.status(tooLarge ? 413 : 400).json({ error: tooLarge ? 'too_large' : 'bad_json', message });
    });
  };
}
