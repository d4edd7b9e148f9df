import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { Logger } from '../../core/logger.js';
import { adminHeaders } from './admin-headers.js';
import { answerFailure } from './answer-failure.js';
import { storeGate } from './store-gate.js';

/** What /readyz answers: `ok` false is a 503; the rest says what is not ready (the database, its migrations). */
export interface Readiness {
  ok: boolean;
  [detail: string]: unknown;
}

interface ServerParts {
  logger: Logger;
  /** Resolves when the database answers; /readyz reports it. */
  ping: () => Promise<void>;
  /** When given, /readyz answers with it instead of a bare ping: the store, the database and its migrations. */
  readiness?: () => Promise<Readiness>;
  twilio: Router | { off: string };
  /**
   * POST /twilio/sms, Twilio's incoming-message webhook, only when `twilio` is on. A plain form
   * (what Twilio sends) at exactly that path goes to `plain` before express sees the request: the
   * busiest path skips express's own work per request (issue 11); anything else takes `express`,
   * the first route.
   */
  twilioSms?: {
    /** Takes the request and returns true when it is a plain form; else leaves it to express. */
    plain(req: IncomingMessage, res: ServerResponse, fail: (error: unknown) => void): boolean;
    express: express.RequestHandler;
  };
  /** Bolt's router; it parses and verifies its own bodies, so no parser runs before it. */
  slack: Router | { off: string };
  admin: Router | { off: string };
  /** PJ's web console page at /admin; it answers only its own files and passes the rest on. */
  console?: Router;
  /** The web chat: its API under /web, the widget and the demo page; it passes the rest on. */
  web?: Router | { off: string };
  /** GET /metrics (METRICS_TOKEN) and the timer of Slack's acks; absent: no such route (404). */
  metrics?: { router: Router; timeSlackAck: express.RequestHandler };
  /** PUBLIC_BASE_URL is https: admin responses tell browsers to keep to HTTPS (HSTS). */
  hsts?: boolean;
  /**
   * Which proxies' X-Forwarded-For names the client (TRUST_PROXY, as Express's `trust proxy`):
   * false, the connection's own address; a number of proxies in front; or their addresses.
   */
  trustProxy?: false | number | string[];
}

function offRoute(reason: string): express.RequestHandler {
  return (_req, res) => {
    res.status(503).json({ error: 'channel_off', message: reason });
  };
}

/** The HTTP app as node's request listener, and a way to listen with it (as express's app has). */
export interface HttpApp {
  (req: IncomingMessage, res: ServerResponse): void;
  listen(port: number, ...rest: [host: string, listening: () => void] | [listening: () => void]): Server;
}

/** The HTTP app: health, readiness, the Twilio and Slack endpoints and the admin API, by prefix. */
export function createServer(parts: ServerParts): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parts.trustProxy ?? false);
  const sms = parts.twilioSms !== undefined && !('off' in parts.twilio) ? parts.twilioSms : undefined;
  if (sms !== undefined) app.post('/twilio/sms', sms.express);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    if (parts.readiness) {
      const report = await parts.readiness();
      if (!report.ok)
        parts.logger.error(
          report,
          'readiness check failed: see database and migrations; check DATABASE_URL and the server',
        );
      res.status(report.ok ? 200 : 503).json(report);
      return;
    }
    try {
      await parts.ping();
      res.json({ ok: true, database: 'up' });
    } catch (error) {
      parts.logger.error({ err: error }, 'readiness check failed: the database does not answer; check DATABASE_URL');
      res.status(503).json({ ok: false, database: 'down' });
    }
  });
  if (parts.metrics) app.use(parts.metrics.router);
  app.use('/twilio', 'off' in parts.twilio ? offRoute(parts.twilio.off) : parts.twilio);
  // Slack's work runs after Bolt's ack: a database out of reach must answer 503 before it, not fail after.
  app.use(
    '/slack',
    'off' in parts.slack
      ? offRoute(parts.slack.off)
      : [...(parts.metrics ? [parts.metrics.timeSlackAck] : []), storeGate(parts.ping, parts.logger), parts.slack],
  );
  app.use('/admin', adminHeaders({ hsts: parts.hsts ?? false }));
  if (parts.console) app.use('/admin', parts.console);
  app.use('/admin/api', 'off' in parts.admin ? offRoute(parts.admin.off) : parts.admin);
  if (parts.web !== undefined && 'off' in parts.web) app.use('/web', offRoute(parts.web.off));
  else if (parts.web !== undefined) app.use(parts.web);
  app.use((req, res) => {
    parts.logger.warn(
      { method: req.method, path: req.path },
      'no such route: check the URL configured in Twilio or your client',
    );
    res.status(404).json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
  });
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    answerFailure(error, req.path, res, parts.logger);
  };
  app.use(onError);

  const listener = ((req: IncomingMessage, res: ServerResponse) => {
    const webhook = sms !== undefined && req.method === 'POST' && req.url === '/twilio/sms';
    if (webhook && sms.plain(req, res, (error) => answerFailure(error, '/twilio/sms', res, parts.logger))) return;
    void app(req, res);
  }) as HttpApp;
  listener.listen = (port, ...rest) => createHttpServer(listener).listen(port, ...(rest as [string, () => void]));
  return listener;
}
