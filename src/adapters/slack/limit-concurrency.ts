/** Tasks run at most `max` at a time, the rest waiting in the order they came. */
export interface ConcurrencyLimit {
  /** Runs `task` once a place is free; settles as the task does. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once nothing runs or waits (at once if nothing does). */
  idle(): Promise<void>;
  /** Tasks running or waiting. */
  readonly size: number;
}

/**
 * At most `max` tasks at once, started in arrival order. A task never starts inside its caller's
 * turn of the event loop, only at a later setImmediate: the caller (a request handler that has
 * just answered) returns first, so every request already read in this turn is answered before
 * any of the work they queued begins (issue 11: Slack acks at 50 concurrent events).
 */
export function createConcurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new Error(`a concurrency limit must be a whole number >= 1, not ${max}`);
  const waiting: Array<() => void> = [];
  let running = 0;
  let idlers: Array<() => void> = [];

  function settled(): void {
    running -= 1;
    const next = waiting.shift();
    if (next !== undefined) {
      running += 1;
      setImmediate(next);
    } else if (running === 0) {
      const resolvers = idlers;
      idlers = [];
      for (const resolve of resolvers) resolve();
    }
  }

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          // A task that throws before its first await settles like one that rejects.
          Promise.resolve().then(task).then(resolve, reject).finally(settled);
        };
        if (running < max) {
          running += 1;
          setImmediate(start);
        } else {
          waiting.push(start);
        }
      });
    },
    idle() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idlers.push(resolve));
    },
    get size() {
      return running + waiting.length;
    },
  };
}
