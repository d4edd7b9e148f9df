import { KeepAliveConnection } from './keep-alive-client.js';

/** One request the load sends; `onAnswer` learns its status once it is answered (a dropped connection never calls it). */
export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  onAnswer?: (status: number) => void;
}

export interface LoadOptions {
  origin: string;
  /** Requests in flight at once, each on its own keep-alive connection (closed loop: the next goes when one is answered). */
  connections: number;
  /** Stop sending after this long... */
  seconds?: number;
  /** ...or after this many requests, whichever comes first. */
  requests?: number;
  /** The next request to send; null when there is none to send now (the connection waits a little and asks again). */
  next: () => BenchRequest | null;
  /** Checked before each request: true stops the load (a killed server, say). */
  stopped?: () => boolean;
}

export interface LoadResult {
  requests: number;
  /** Answers that were not 200, by status; 'error' for a request that got no answer. */
  failures: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** The p-th percentile of sorted `values` (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Drives `origin` with a closed loop of `connections` senders; latency is from sending to the whole answer read. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { hostname, port } = new URL(options.origin);
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const deadline =
    options.seconds === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.seconds * 1000;
  let sent = 0;
  const started = performance.now();
  const connections: KeepAliveConnection[] = [];
  async function sender(): Promise<void> {
    const connection = new KeepAliveConnection(hostname, Number(port));
    connections.push(connection);
    while (sent < limit && performance.now() < deadline && options.stopped?.() !== true) {
      const request = options.next();
      if (request === null) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      sent += 1;
      const at = performance.now();
      try {
        const status = await connection.post(request.path, request.headers, request.body);
        latencies.push(performance.now() - at);
        if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
        request.onAnswer?.(status);
      } catch {
        failures.error = (failures.error ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: options.connections }, sender));
  const seconds = (performance.now() - started) / 1000;
  for (const connection of connections) connection.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    seconds: round1(seconds),
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: round1(percentile(latencies, 50)),
      p99: round1(percentile(latencies, 99)),
      max: round1(latencies.at(-1) ?? Number.NaN),
    },
  };
}
