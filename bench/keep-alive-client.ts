import { connect, type Socket } from 'node:net';

/** One answer: the status, or an error when the connection failed or closed before the answer was whole. */
type Answer = { status: number } | { error: Error };

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:\s*chunked/i;
const CHUNK_END = Buffer.from('0\r\n\r\n');

/**
 * The length of the whole answer at the start of `data` (head and body), or null while more is to
 * come. Bodies come with Content-Length or chunked; a chunked one ends with its last chunk ("0").
 */
function answerLength(data: Buffer): { length: number; status: number } | null {
  const headEnd = data.indexOf(HEADER_END);
  if (headEnd < 0) return null;
  const head = data.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headEnd + HEADER_END.length;
  const declared = CONTENT_LENGTH.exec(head);
  if (declared) {
    const length = bodyStart + Number(declared[1]);
    return data.length >= length ? { length, status } : null;
  }
  if (CHUNKED.test(head)) {
    const end = data.indexOf(CHUNK_END, bodyStart);
    return end < 0 ? null : { length: end + CHUNK_END.length, status };
  }
  return { length: bodyStart, status };
}

/**
 * One keep-alive HTTP/1.1 connection for the bench's load, one request at a time: the request is
 * written as bytes and the answer read for its status and length only. undici's Pool, the bench's
 * client before, took about half a core at these rates on the same 2 cores as the servers; this
 * takes a fraction of that, so the figures say more about the servers than about the load.
 */
export class KeepAliveConnection {
  private socket: Socket | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: ((answer: Answer) => void) | null = null;
  private readonly host: string;
  private readonly port: number;

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      const whole = answerLength(this.buffered);
      if (whole === null) return;
      this.buffered = this.buffered.subarray(whole.length);
      this.settle({ status: whole.status });
    });
    const drop = (error?: Error) => {
      if (this.socket === socket) this.socket = null;
      this.buffered = Buffer.alloc(0);
      this.settle({ error: error ?? new Error('connection closed before the answer') });
    };
    socket.on('error', drop);
    socket.on('close', () => drop());
    return socket;
  }

  private settle(answer: Answer): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(answer);
  }

  /** POSTs `body` to `path` and resolves with the answer's status; rejects when the connection fails. */
  post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    this.socket ??= this.open();
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      this.waiting = (answer) => ('status' in answer ? resolve(answer.status) : reject(answer.error));
      socket.write(`${head}\r\n${body}`);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}
