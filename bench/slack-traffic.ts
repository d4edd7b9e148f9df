import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchRequest } from './load.js';

const TEXTS = ['hi', 'we run payroll for restaurants', 'their CFO asked'];
const TEAM = 'T0BENCH';
/** A reply that never comes (the bot chose silence) frees its sender after this long. */
const REPLY_TIMEOUT_MS = 5_000;

interface SlackTraffic {
  /** The Web API stand-in's base URL, for SLACK_API_URL. */
  apiUrl: string;
  /** The next DM from a sender whose previous one was acknowledged and answered, or null. */
  next(): BenchRequest | null;
  /** Replies the bot posted. */
  replies(): number;
  close(): Promise<void>;
}

/**
 * Signed Slack DM events from `senders` users at once, each sending its next message once the
 * previous one was acknowledged and the bot's reply reached the stand-in Web API this starts
 * (auth.test and chat.postMessage answer ok; everything else too).
 */
export async function createSlackTraffic(options: { signingSecret: string; senders: number }): Promise<SlackTraffic> {
  const slots = Array.from({ length: options.senders }, () => ({
    acked: true,
    replied: true,
    generation: 0,
    step: 0,
    timer: undefined as NodeJS.Timeout | undefined,
  }));
  let replies = 0;
  const replied = (index: number) => {
    const slot = slots[index];
    if (slot === undefined || slot.replied) return;
    clearTimeout(slot.timer);
    slot.replied = true;
  };
  const api: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const method = req.url?.split('/').pop() ?? '';
      const channel = /channel=D(\d+)/.exec(body)?.[1] ?? /"channel":"D(\d+)"/.exec(body)?.[1];
      if (method === 'chat.postMessage' && channel !== undefined) {
        replies += 1;
        replied(Number(channel));
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          method === 'auth.test'
            ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: TEAM, user: 'soc', team: 'bench' }
            : { ok: true, channel: channel === undefined ? undefined : `D${channel}`, ts: `${Date.now() / 1000}` },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  let cursor = 0;

  function request(index: number): BenchRequest {
    const slot = slots[index] ?? slots[0];
    if (slot === undefined) throw new Error('no senders');
    slot.acked = false;
    slot.replied = false;
    slot.timer = setTimeout(() => replied(index), REPLY_TIMEOUT_MS);
    const ts = `${Math.floor(Date.now() / 1000)}.${String(index).padStart(6, '0')}`;
    const body = JSON.stringify({
      token: 'bench',
      team_id: TEAM,
      api_app_id: 'A0BENCH',
      type: 'event_callback',
      event_id: `Ev${randomBytes(8).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel_type: 'im',
        channel: `D${index}`,
        user: `U${index}G${slot.generation}`,
        text: TEXTS[slot.step],
        ts,
        event_ts: ts,
      },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      path: '/slack/events',
      headers: {
        'content-type': 'application/json',
        'x-slack-signature': signature,
        'x-slack-request-timestamp': timestamp,
      },
      body,
      onAnswer() {
        slot.acked = true;
        slot.step += 1;
        if (slot.step < TEXTS.length) return;
        slot.step = 0;
        slot.generation += 1;
      },
    };
  }

  return {
    apiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`,
    next() {
      for (let tried = 0; tried < slots.length; tried += 1) {
        const index = cursor;
        cursor = (cursor + 1) % slots.length;
        const slot = slots[index];
        if (slot?.acked === true && slot.replied) return request(index);
      }
      return null;
    },
    replies: () => replies,
    async close() {
      for (const slot of slots) clearTimeout(slot.timer);
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    },
  };
}
