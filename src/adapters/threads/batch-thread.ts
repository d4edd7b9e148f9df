import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { Logger } from '../../core/logger.js';

/** What the main thread posts: one batch of inputs; the worker answers with as many outputs, in order. */
export interface BatchRequest<I> {
  id: number;
  inputs: I[];
}

/** A worker's answer: one output per input, null where it had none to give. */
export interface BatchAnswer<O> {
  id: number;
  outputs: Array<O | null>;
}

interface BatchThreadOptions {
  /** The worker's entry module (see src/decide-worker.ts): JavaScript, or TypeScript under tsx (tests, npm run dev). */
  entry: URL;
  workerData: unknown;
  resourceLimits?: ResourceLimits;
  logger: Logger;
  /** What runs on the thread, for the log line when it fails. */
  what: string;
  /**
   * A batch not answered within this long means the thread is stuck: it is given up. Until the
   * thread first answers (it is still loading its modules) it has up to 30 s.
   */
  answerWithinMs?: number;
  /**
   * A batch of one while the thread has nothing else to do resolves null at once, so the caller
   * does that work itself: nothing else is waiting on the caller's thread either, and the round
   * trip to the thread would only add to that one item's latency (a text at one connection).
   */
  handBackLone?: boolean;
}

/** A worker thread that takes inputs in batches; `run` resolves null when the thread cannot answer. */
export interface BatchThread<I, O> {
  run(input: I): Promise<O | null>;
  close(): Promise<void>;
}

/** How long a thread may take to load before its first answer. */
const STARTUP_MS = 30_000;

/**
 * The entry as a worker can start it. Node 20 does not apply `--import tsx` given in a worker's
 * execArgv (nodejs/node#47747), so a TypeScript entry starts from a bootstrap module that
 * registers tsx's loader in the worker first, with tsx's own API, and then imports it.
 */
function runnable(entry: URL): URL {
  if (!entry.pathname.endsWith('.ts')) return entry;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/**
 * One worker thread fed in batches (issue 11): inputs handed to `run` in one run of the microtask
 * queue (the bot's come from the continuations of one batch of peeks, sqlite-read-batch.ts) go in
 * one message once those have run, so the cost of crossing threads is paid once per batch, not
 * once per input. A microtask, not a setImmediate: called from a check-phase callback, as the
 * peeks' continuations are, a setImmediate would wait for the next turn of the event loop, after
 * its I/O (in paired rounds the microtask read 1.09x and 1.04x the texts a second, median). If
 * the thread fails, exits or leaves a batch unanswered for `answerWithinMs`, everything waiting on
 * it and everything after resolves null at once, with one
 * error log line: the caller then does the work itself, so a broken thread costs speed, never a
 * message. The thread does not keep the process alive.
 */
export function createBatchThread<I, O>(options: BatchThreadOptions): BatchThread<I, O> {
  const worker = new Worker(runnable(options.entry), {
    workerData: options.workerData,
    ...(options.resourceLimits && { resourceLimits: options.resourceLimits }),
  });
  worker.unref();
  const waiting = new Map<number, Array<(output: O | null) => void>>();
  // 5 s: giving the thread up is for good (until a restart), so a thread that is only slow, on a
  // loaded machine, must not trip it (2 s did once, in a full test run on a slow day); a stuck one is
  // still given up well within Twilio's 15 s webhook timeout.
  const answerWithinMs = options.answerWithinMs ?? 5000;
  const started = Date.now();
  let answeredOnce = false;
  let queued: Array<{ input: I; resolve: (output: O | null) => void }> = [];
  let nextId = 1;
  let broken = false;

  /** Everything still waiting resolves null: the callers do the work themselves. */
  function releaseWaiting(): void {
    for (const resolvers of waiting.values()) for (const resolve of resolvers) resolve(null);
    waiting.clear();
  }

  function giveUp(why: string): void {
    if (broken) return;
    broken = true;
    options.logger.error(
      { thread: options.what },
      `the ${options.what} thread stopped (${why}): texts are decided on the main thread from now on, slower; restart the bot to get it back`,
    );
    releaseWaiting();
    void worker.terminate();
  }

  worker.on('message', ({ id, outputs }: BatchAnswer<O>) => {
    answeredOnce = true;
    const resolvers = waiting.get(id) ?? [];
    waiting.delete(id);
    resolvers.forEach((resolve, i) => resolve(outputs[i] ?? null));
  });
  worker.on('error', (error) => giveUp(error.message));
  worker.on('exit', (code) => giveUp(`exit code ${code}`));

  function flush(): void {
    const batch = queued;
    queued = [];
    if (broken || (options.handBackLone === true && batch.length === 1 && waiting.size === 0)) {
      for (const { resolve } of batch) resolve(null);
      return;
    }
    const id = nextId++;
    waiting.set(
      id,
      batch.map((item) => item.resolve),
    );
    try {
      worker.postMessage({ id, inputs: batch.map((item) => item.input) } satisfies BatchRequest<I>);
      // A thread that never answers (stuck in a loop) must not leave a client without a reply.
      const check = (): void => {
        if (!waiting.has(id)) return;
        if (!answeredOnce && Date.now() - started < STARTUP_MS) setTimeout(check, answerWithinMs).unref();
        else giveUp(`no answer in ${answerWithinMs} ms`);
      };
      setTimeout(check, answerWithinMs).unref();
    } catch (error) {
      // An input the structured clone cannot copy: that batch is done here, the thread goes on.
      waiting.delete(id);
      for (const { resolve } of batch) resolve(null);
      options.logger.warn({ err: error, thread: options.what }, `could not hand a batch to the ${options.what} thread`);
    }
  }

  return {
    run(input) {
      if (broken) return Promise.resolve(null);
      return new Promise((resolve) => {
        if (queued.length === 0) queueMicrotask(flush);
        queued.push({ input, resolve });
      });
    },
    async close() {
      broken = true;
      releaseWaiting();
      await worker.terminate();
    },
  };
}
