import { describe, expect, it } from 'vitest';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import { createKeyedQueue } from '../../src/app/keyed-queue.js';
import { botSettings } from '../support/settings.js';

const settings = botSettings();

function message(participant: string, text: string, i: number): InboundMessage {
  return {
    channel: 'sms',
    participant,
    conversationKey: participant,
    provider: 'test',
    externalId: `${participant}-${i}`,
    text,
    receivedAt: 1_000 + i,
  };
}

describe('handleInbound', () => {
  it('handles texts from one sender strictly in the order they came in', async () => {
    const store = createSqliteConversationStore(':memory:');
    const handle = createInboundHandler(store, settings);
    const texts = ['hi', 'we run payroll', 'their CFO', ...Array.from({ length: 17 }, (_, i) => `thanks ${i}`)];
    const results = await Promise.all(texts.map((t, i) => handle(message('+14155550101', t, i))));
    const detail = await store.get(results[0]?.conversationId ?? 0);
    expect(detail?.transcript.filter((t) => t.direction === 'in').map((t) => t.text)).toEqual(texts);
    expect(detail?.verdict).toBe('soc1');
    // One answer per question, the verdict, one pointer to PJ, then silence.
    expect(results.map((r) => r.replies.length)).toEqual([1, 1, 1, 1, ...Array<number>(16).fill(0)]);
    await store.close();
  });
});

describe('createKeyedQueue', () => {
  it('runs one key in order, other keys alongside, and survives a failed task', async () => {
    const queue = createKeyedQueue();
    const log: string[] = [];
    const slow = (label: string, ms: number) => () =>
      new Promise<string>((resolve) => setTimeout(() => (log.push(label), resolve(label)), ms));
    const a1 = queue.run('a', slow('a1', 30));
    const failed = queue.run('a', () => Promise.reject(new Error('boom')));
    const a2 = queue.run('a', slow('a2', 1));
    const b1 = queue.run('b', slow('b1', 5));
    await expect(failed).rejects.toThrow('boom');
    expect(await Promise.all([a1, a2, b1])).toEqual(['a1', 'a2', 'b1']);
    expect(log).toEqual(['b1', 'a1', 'a2']);
    await new Promise((r) => setTimeout(r, 0));
    expect(queue.size).toBe(0);
  });
});
