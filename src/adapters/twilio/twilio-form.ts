import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import qs from 'qs';

/** What express.urlencoded({ extended: false, limit: '64kb' }) reads at most, in bytes. */
export const FORM_LIMIT = 64 * 1024;
const PARAMETER_LIMIT = 1000;

const FORM_TYPE = /^application\/x-www-form-urlencoded[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;
/** A field as Twilio names them (MessageSid, MediaUrl0): one that qs reads as itself. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Whether the request is a form the lean reader handles exactly as express.urlencoded would: UTF-8
 * urlencoded, not compressed, with a Content-Length within the limit. Anything else (chunked, gzip,
 * another charset, too large, not a form) goes through express.urlencoded, with its 413 and 415.
 */
export function isPlainForm(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  const encoding = headers['content-encoding'];
  return (
    FORM_TYPE.test(headers['content-type'] ?? '') &&
    (encoding === undefined || encoding.toLowerCase() === 'identity') &&
    headers['transfer-encoding'] === undefined &&
    length !== undefined &&
    /^\d{1,5}$/.test(length) &&
    Number(length) <= FORM_LIMIT
  );
}

/** qs's decoding of a key or value (utils.decode for utf-8), after the %5B/%5D it turns into brackets first. */
function decode(raw: string): string {
  const text = raw.includes('%5') ? raw.replace(/%5B/gi, '[').replace(/%5D/gi, ']') : raw;
  if (!text.includes('%')) return text.includes('+') ? text.replace(/\+/g, ' ') : text;
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** A tooManyParameters error as body-parser makes it: the error handler answers its status and message. */
function tooManyParameters(): Error {
  return Object.assign(new Error('too many parameters'), { status: 413, type: 'parameters.too.many' });
}

/**
 * The form's fields exactly as express.urlencoded({ extended: false }) parses them (qs with
 * body-parser's options). Twilio's forms (plain field names, each once) take a short way; any
 * other body is handed to qs. Throws a 413 error past 1,000 fields, as body-parser does.
 */
export function parseForm(body: string): Record<string, unknown> {
  if (body.length === 0) return {};
  const parts = body.split('&');
  if (parts.length > PARAMETER_LIMIT) throw tooManyParameters();
  const fields: Record<string, string> = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    const key = part.slice(0, equals);
    // An empty part, a key without '=', an odd or repeated key, or a ']=' that qs splits on: qs decides.
    if (equals < 1 || !PLAIN_KEY.test(key) || key in fields || part.includes(']='))
      return parseWithQs(body, parts.length);
    const value = decode(part.slice(equals + 1));
    if (value.includes(']=')) return parseWithQs(body, parts.length);
    fields[key] = value;
  }
  return fields;
}

function parseWithQs(body: string, parameters: number): Record<string, unknown> {
  return qs.parse(body, {
    allowPrototypes: true,
    arrayLimit: parameters,
    depth: 0,
    charset: 'utf-8',
    parameterLimit: PARAMETER_LIMIT,
    strictDepth: true,
  });
}

/**
 * Reads a request isPlainForm accepted: its body as UTF-8 (a leading byte-order mark dropped, as
 * body-parser's decoder does), parsed with parseForm. Rejects when the client goes away first.
 */
export function readForm(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('aborted', () => reject(Object.assign(new Error('request aborted'), { status: 400 })));
    req.on('end', () => {
      const text = (chunks.length === 1 ? (chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(chunks)).toString('utf8');
      try {
        resolve(parseForm(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
      } catch (error) {
        reject(error);
      }
    });
  });
}
