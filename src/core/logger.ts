/** Writes one log line: structured fields, then a message that says what to check or fix. */
interface LogFn {
  (fields: object, message: string): void;
  (message: string): void;
}

/** Structured logging as the adapters use it; pino's logger is one. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose lines all carry `bindings`, e.g. `{ component: 'slack' }`. */
  child(bindings: Record<string, unknown>): Logger;
}
