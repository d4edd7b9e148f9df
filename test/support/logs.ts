import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import type { Logger as LogPort } from '../../src/core/logger.js';

/** A logger as the bot builds it (JSON lines, redaction), and every line it wrote, in order. */
export interface CapturedLogs {
  logger: Logger;
  lines: string[];
}

/** Captures what the bot logs at `level` and above, to read in assertions (`lines.join('')`). */
export function captureLogs(level = 'info'): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

/** One call to the Logger port: its level, its fields and its message. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: object;
  msg: string;
}

/**
 * A fake of the Logger port the use cases take (`log`): writes nothing and records each call in
 * `entries`, as the code made it. A child logs into the same entries, without its bindings.
 */
export function recordLog(): { log: LogPort; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (fields: object | string, msg?: string): void =>
      void entries.push(
        typeof fields === 'string' ? { level, fields: {}, msg: fields } : { level, fields, msg: msg ?? '' },
      );
  const log: LogPort = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return { log, entries };
}
