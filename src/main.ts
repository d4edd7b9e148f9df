import type { Server } from 'node:http';
import { createLogger } from './adapters/log/create-logger.js';
import { compose } from './compose.js';
import { describeStoreChoice, parseConfig } from './config.js';
import { loadDotEnv } from './load-env.js';

function start(): void {
  loadDotEnv();
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  let composed;
  try {
    composed = compose(config, { logger });
  } catch (error) {
    logger.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  const { http, store, slack, background } = composed;
  background.start(1000);
  if (!config.slack)
    logger.warn(
      'Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode) to turn it on',
    );
  if (slack) {
    slack.start().then(
      () => config.slack?.appToken && logger.info('Slack connected in Socket Mode'),
      (error: unknown) =>
        logger.error({ err: error }, 'Slack Socket Mode could not connect: check SLACK_APP_TOKEN and SLACK_BOT_TOKEN'),
    );
  }
  if (!config.sms)
    logger.warn(
      'SMS channel is off: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL to turn it on (npm run chat works without them)',
    );
  if (!config.adminToken) logger.info('admin API is off: set ADMIN_TOKEN to turn it on');

  const server: Server = http.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(
      { port, database: describeStoreChoice(config.database), sms: Boolean(config.sms) },
      `SOC Advisor listening on port ${port}: open http://localhost:${port} for the demo page and its chat`,
    );
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, `cannot listen on port ${config.port}: set PORT to a free port`);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    // Open web chat event streams never finish by themselves; browsers reconnect to another instance.
    composed.web?.closeStreams();
    // Requests in flight finish and their replies go out; only then does the database close.
    server.close(() => {
      void Promise.all([slack?.stop(), background.stop(), composed.decideThread?.close()])
        .then(() => store.close())
        .then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown did not finish cleanly');
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.error('requests still open after 10 s; exiting anyway');
      process.exit(1);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

start();
