import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Router, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHANNELS, type Channel } from '../../core/channels.js';
import type { HandleInbound } from '../../core/driving-ports.js';
import type { Logger } from '../../core/logger.js';
import type { OutboxBacklog } from '../../core/ports.js';
import { StoreUnavailableError } from '../../core/store-unavailable.js';

/**
 * What became of a client's message. replied: the bot answered it; silent: stored with nothing to
 * say (PJ has the conversation, an opted-out sender, a keyword the carrier answers); duplicate: a
 * retry of one already handled; unavailable: the database could not take it (503, the provider
 * retries); failed: any other error.
 */
const OUTCOMES = ['replied', 'silent', 'duplicate', 'unavailable', 'failed'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** Seconds: from a few ms (one group commit) to Twilio's 15 s webhook timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export interface BotMetrics {
  /** Times a Twilio webhook's response from now until its answer is written (express or not). */
  timeWebhook(res: ServerResponse): void;
  /** The same for Slack's requests: their answer is the ack. */
  timeSlackAck: RequestHandler;
  /** `handleInbound` counting every message by channel and outcome. */
  countMessages(handleInbound: HandleInbound): HandleInbound;
  /** Hears each group commit's size (the SQLite store's onBatch). */
  observeBatch(size: number): void;
  /** GET /metrics behind `Authorization: Bearer <token>`. */
  router: Router;
}

interface MetricsOptions {
  /** METRICS_TOKEN. */
  token: string;
  logger: Logger;
  now: () => number;
  /** The outbox's backlog, read when scraped. */
  outboxBacklog: (now: number) => Promise<OutboxBacklog>;
}

/** Observes how long `res` takes, from now until its answer is written. */
function time(histogram: Histogram, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => histogram.observe((performance.now() - started) / 1000));
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The bot's metrics in Prometheus' text format (prom-client), in a registry of its own: the
 * webhook's and Slack acks' latency, messages by channel and outcome, the outbox's backlog, group
 * commit sizes, and the process's own (memory, CPU, event loop, GC). What runs per message is a
 * histogram observe or an increment of a plain number; the rest is computed when scraped.
 */
export function createBotMetrics(options: MetricsOptions): BotMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const webhook = new Histogram({
    name: 'soc_twilio_webhook_duration_seconds',
    help: "Twilio's SMS webhook (POST /twilio/sms): from the request to its TwiML answer written",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const slackAck = new Histogram({
    name: 'soc_slack_ack_duration_seconds',
    help: "Slack's requests (events, actions, commands): from the request to the ack written",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batches = new Histogram({
    name: 'soc_store_group_commit_size',
    help: 'Messages saved in one transaction (one fsync) by the SQLite group commit',
    buckets: BATCH_BUCKETS,
    registers,
  });

  const channels = Object.keys(CHANNELS) as Channel[];
  const counts = Object.fromEntries(
    channels.map((channel) => [channel, Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]))]),
  ) as Record<Channel, Record<Outcome, number>>;
  new Counter({
    name: 'soc_messages_total',
    help: "Clients' messages by channel and outcome (replied, silent, duplicate, unavailable, failed)",
    labelNames: ['channel', 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const channel of channels)
        for (const outcome of OUTCOMES) this.inc({ channel, outcome }, counts[channel][outcome]);
    },
  });

  let reading: Promise<OutboxBacklog> | null = null;
  // One query per scrape for both gauges.
  const backlog = () =>
    (reading ??= options.outboxBacklog(options.now()).finally(() => setImmediate(() => (reading = null))));
  new Gauge({
    name: 'soc_outbox_unsent',
    help: 'Outbox items not sent yet (pending, held for quiet hours, or being sent)',
    registers,
    async collect() {
      this.set((await backlog()).unsent);
    },
  });
  new Gauge({
    name: 'soc_outbox_oldest_age_seconds',
    help: 'Age of the oldest unsent outbox item, texts held for quiet hours left out; 0 when none',
    registers,
    async collect() {
      const { oldestQueuedAt } = await backlog();
      this.set(oldestQueuedAt === null ? 0 : Math.max(0, (options.now() - oldestQueuedAt) / 1000));
    },
  });

  const expected = digest(options.token);
  const router = Router();
  router.get('/metrics', (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!timingSafeEqual(digest(given), expected)) {
      options.logger.warn({ path: req.path }, 'refused GET /metrics: no METRICS_TOKEN or a wrong one (Bearer)');
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').json({ error: 'unauthorized' });
      return;
    }
    registry.metrics().then((text) => {
      res.status(200).set({ 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).send(text);
    }, next);
  });

  return {
    timeWebhook: (res) => time(webhook, res),
    timeSlackAck: (_req, res, next) => {
      time(slackAck, res);
      next();
    },
    countMessages(handleInbound) {
      return async (message) => {
        const of = counts[message.channel];
        try {
          const result = await handleInbound(message);
          of[result.duplicate ? 'duplicate' : result.says.length > 0 ? 'replied' : 'silent'] += 1;
          return result;
        } catch (error) {
          of[error instanceof StoreUnavailableError ? 'unavailable' : 'failed'] += 1;
          throw error;
        }
      };
    },
    observeBatch: (size) => batches.observe(size),
    router,
  };
}
