import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs. Secrets never reach a log call, and these paths are redacted in case one slips
 * into a logged object; phone numbers are masked by callers with maskParticipant().
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'soc-advisor' },
    redact: {
      paths: ['authorization', 'headers.authorization', '*.authToken', '*.token', 'password'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
