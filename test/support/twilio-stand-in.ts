import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Messages.create call the stand-in took. */
interface Delivery {
  to: string;
  body: string;
  sid: string;
  at: number;
}

/**
 * A local HTTP stand-in for Twilio's Messages API (TWILIO_API_URL points at it), for bots running
 * as processes, where nock cannot reach: it answers 201 with a message sid and records every
 * delivery, so a test can count what each recipient got.
 */
export interface TwilioStandIn {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

export async function startTwilioStandIn(): Promise<TwilioStandIn> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !/^\/2010-04-01\/Accounts\/AC\w+\/Messages\.json$/.test(req.url ?? '')) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"status":404,"message":"not found"}');
        return;
      }
      const form = new URLSearchParams(body);
      const sid = `SM${randomBytes(16).toString('hex')}`;
      deliveries.push({ to: form.get('To') ?? '', body: form.get('Body') ?? '', sid, at: Date.now() });
      const json = JSON.stringify({
        sid,
        status: 'queued',
        to: form.get('To'),
        from: form.get('From'),
        body: form.get('Body'),
      });
      res
        .writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(json)) })
        .end(json);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
