import type { Request, Response } from 'express';
import type { Logger } from '../../core/logger.js';
import type { WebChatStore } from '../../core/ports.js';
import type { WebEvent } from '../../core/web-chat.js';

/**
 * Wakes this process's streams of a session as soon as a line is stored for it here. Lines
 * another instance stores are found by polling, so a stream never depends on a wake-up.
 */
export interface Wakeups {
  wake(session: string): void;
  /** Resolves on the session's next wake-up or after `ms`, whichever is first; `cancel` resolves it now. */
  wait(session: string, ms: number): { done: Promise<void>; cancel(): void };
  /** Sessions with a stream waiting now; one whose waits all ended is forgotten. */
  readonly sessions: number;
}

export function createWakeups(): Wakeups {
  const waiting = new Map<string, Set<() => void>>();
  return {
    wake(session) {
      const set = waiting.get(session);
      if (set === undefined) return;
      waiting.delete(session);
      for (const resolve of set) resolve();
    },
    wait(session, ms) {
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => finish(), ms);
        finish = () => {
          clearTimeout(timer);
          waiting.get(session)?.delete(finish);
          if (waiting.get(session)?.size === 0) waiting.delete(session);
          resolve();
        };
      });
      const set = waiting.get(session) ?? new Set();
      set.add(finish);
      waiting.set(session, set);
      return { done, cancel: () => finish() };
    },
    get sessions() {
      return waiting.size;
    },
  };
}

interface EventStreamOptions {
  store: Pick<WebChatStore, 'listWebEvents'>;
  wakeups: Wakeups;
  logger: Logger;
  /** How a stored line goes on the wire. */
  toPublic: (event: WebEvent) => unknown;
  /** How often a stream looks for lines another instance stored. */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
}

export interface EventStreams {
  /** Streams `session`'s lines after id `after` until the client goes or `closeAll` is called. */
  serve(req: Request, res: Response, session: string, after: number): Promise<void>;
  /** Ends every open stream (shutdown; tests drop connections with it). Browsers reconnect with Last-Event-ID. */
  closeAll(): void;
}

const BATCH = 100;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2000;

/** Server-Sent Events over the stored history: resumable, and the same from every instance. */
export function createEventStreams(options: EventStreamOptions): EventStreams {
  const { store, wakeups, logger, toPublic, pollMs } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Set<() => void>();

  return {
    async serve(req, res, session, after) {
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        // NOTE: nginx buffers responses unless told not to; a buffered stream arrives in lumps.
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write(`retry: ${RETRY_MS}\n\n`);
      let closed = false;
      let cancel: () => void = () => undefined;
      const close = () => {
        closed = true;
        cancel();
      };
      open.add(close);
      req.on('close', close);
      let last = after;
      let wroteAt = Date.now();
      try {
        while (!closed) {
          // Wait registered before reading: a line stored meanwhile wakes the next wait at once.
          const wait = wakeups.wait(session, pollMs);
          cancel = wait.cancel;
          const events = await store.listWebEvents(session, last, BATCH);
          for (const event of events) {
            res.write(`id: ${event.id}\ndata: ${JSON.stringify(toPublic(event))}\n\n`);
            last = event.id;
          }
          if (events.length > 0) wroteAt = Date.now();
          if (events.length === BATCH) {
            wait.cancel();
            continue;
          }
          if (Date.now() - wroteAt >= heartbeatMs) {
            res.write(': keep-alive\n\n');
            wroteAt = Date.now();
          }
          await wait.done;
        }
      } catch (error) {
        logger.error(
          { err: error },
          'web chat event stream stopped: the history could not be read; the browser reconnects and resumes',
        );
      } finally {
        open.delete(close);
        res.end();
      }
    },
    closeAll() {
      for (const close of [...open]) close();
    },
  };
}
