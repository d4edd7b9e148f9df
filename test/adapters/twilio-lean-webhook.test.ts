import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseForm } from '../../src/adapters/twilio/twilio-form.js';
import { renderTwiml } from '../../src/adapters/twilio/twilio-twiml.js';
import { signTwilio } from '../support/sign-twilio.js';
import { AUTH_TOKEN, BOT_NUMBER, PUBLIC_BASE_URL, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

// The webhook's lean path (issue 11) reads the form, checks the signature and writes TwiML without
// the general body parser and the TwiML builder; whatever arrives, it must answer exactly what
// express.urlencoded and MessagingResponse would have led to. Behaviour only: no timings.

/** express.urlencoded as the route used it, echoing what it parsed (or its error's status and message). */
async function startOracle(): Promise<{ parse(body: string): Promise<unknown>; close(): Promise<void> }> {
  const app = express();
  app.post('/', express.urlencoded({ extended: false, limit: '64kb' }), (req, res) => {
    res.json({ ok: true, body: req.body as unknown });
  });
  app.use(((error: { status?: number; message: string }, _req, res, _next) => {
    res.json({ ok: false, status: error.status, message: error.message });
  }) as express.ErrorRequestHandler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    async parse(body) {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      return res.json();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function parsedHere(body: string): unknown {
  try {
    return { ok: true, body: JSON.parse(JSON.stringify(parseForm(body))) as unknown };
  } catch (error) {
    const { status, message } = error as { status?: number; message: string };
    return { ok: false, status, message };
  }
}

const fieldName = fc.oneof(
  fc.constantFrom(
    'Body',
    'From',
    'MessageSid',
    'MediaUrl0',
    'constructor',
    'toString',
    '__proto__',
    'a[b]',
    'a.b',
    '[]',
    'x%5By%5D',
  ),
  fc.string({ maxLength: 8 }),
);
const fieldValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('a]=b', '%5D=x', '%E0%A4%A', '100%', 'a+b', '%2B', '[x]', ''),
);
const formBody = fc.oneof(
  fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 }).map((pairs) => new URLSearchParams(pairs).toString()),
  fc
    .array(fc.tuple(fieldName, fieldValue), { maxLength: 8 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.string(),
  fc.constantFrom('', '&', '=', 'a', 'a=1&&b=2', 'a=1&a=2', `${'a=1&'.repeat(1000)}b=2`, 'a[]=1&a[]=2'),
);

describe('the lean form reader', () => {
  let oracle: Awaited<ReturnType<typeof startOracle>>;
  beforeAll(async () => {
    oracle = await startOracle();
  });
  afterAll(async () => {
    await oracle.close();
  });

  it('parses every body exactly as express.urlencoded({ extended: false }) does', async () => {
    await fc.assert(
      fc.asyncProperty(formBody, async (body) => {
        expect(parsedHere(body)).toEqual(await oracle.parse(body));
      }),
      { numRuns: 600 },
    );
  });
});

describe('TwiML built as a string', () => {
  const library = (replies: string[]) => {
    try {
      const response = new twilio.twiml.MessagingResponse();
      for (const text of replies) response.message(text);
      return response.toString();
    } catch {
      return 'refused';
    }
  };
  const ours = (replies: string[]) => {
    try {
      return renderTwiml(replies);
    } catch {
      return 'refused';
    }
  };

  it('is byte for byte what MessagingResponse writes, and refuses what it refuses', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', 'a & b <c> "d" \'e\'', '\r\n', ']]>', '&amp;', '\u0000', '\ud800', '\u007f\u0085', '😀'),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 3 }), (replies) => {
        expect(ours(replies)).toBe(library(replies));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('POST /twilio/sms, lean or not', () => {
  let lean: SmsHarness;
  let parsed: SmsHarness;
  beforeAll(async () => {
    [lean, parsed] = await Promise.all([startSmsHarness(), startSmsHarness()]);
  });
  afterAll(async () => {
    await Promise.all([lean.close(), parsed.close()]);
  });

  // Twilio's own content type takes the lean path; one with an extra parameter goes through
  // express.urlencoded, which reads it the same way. Both harnesses see the same texts in turn.
  async function both(params: Record<string, string>, signature: string) {
    const body = new URLSearchParams(params).toString();
    const send = async (h: SmsHarness, type: string) => {
      const res = await fetch(`${h.baseUrl}/twilio/sms`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': type, 'X-Twilio-Signature': signature },
      });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    return [
      await send(lean, 'application/x-www-form-urlencoded'),
      await send(parsed, 'application/x-www-form-urlencoded; x-path=parsed'),
    ];
  }

  it('answers every signed, unsigned or odd webhook the same either way', async () => {
    let n = 0;
    const params = fc.record(
      {
        MessageSid: fc.oneof(fc.constant('sid'), fc.string({ maxLength: 5 })),
        From: fc.oneof(fc.constantFrom('+14155550123', '+14155550124'), fc.string({ maxLength: 4 })),
        To: fc.constant(BOT_NUMBER),
        Body: fc.oneof(fc.constantFrom('hi', 'we run payroll', 'their CFO asked', 'STOP', 'a & b <c>'), fc.string()),
        Extra: fc.string({ maxLength: 6 }),
      },
      { requiredKeys: ['MessageSid', 'From', 'To', 'Body'] },
    );
    await fc.assert(
      fc.asyncProperty(params, fc.constantFrom('signed', 'unsigned', 'wrong'), async (p, how) => {
        n += 1;
        const message = {
          ...p,
          MessageSid: p.MessageSid === 'sid' ? `SM${String(n).padStart(32, '0')}` : p.MessageSid,
        };
        const signature =
          how === 'signed'
            ? signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, message)
            : how === 'wrong'
              ? signTwilio('another-token', `${PUBLIC_BASE_URL}/twilio/sms`, message)
              : '';
        const [viaLean, viaParser] = await both(message, signature);
        expect(viaLean).toEqual(viaParser);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves other charsets, compressed and chunked bodies to express.urlencoded', async () => {
    const params = { MessageSid: `SM${'1'.repeat(32)}`, From: '+14155550199', To: BOT_NUMBER, Body: 'hi' };
    const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
    const post = (headers: Record<string, string>, body: NonNullable<RequestInit['body']>) =>
      fetch(`${lean.baseUrl}/twilio/sms`, {
        method: 'POST',
        body,
        headers: { 'X-Twilio-Signature': signature, ...headers },
        duplex: 'half',
      } as RequestInit);
    const latin1 = await post(
      { 'Content-Type': 'application/x-www-form-urlencoded; charset=koi8-r' },
      new URLSearchParams(params).toString(),
    );
    expect(latin1.status).toBe(415);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(new URLSearchParams(params).toString()));
        controller.close();
      },
    });
    const res = await post({ 'Content-Type': 'application/x-www-form-urlencoded' }, chunked);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<Message>/);
  });
});
