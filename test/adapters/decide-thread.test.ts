import { afterEach, describe, expect, it } from 'vitest';
import { createBatchThread, type BatchThread } from '../../src/adapters/threads/batch-thread.js';
import { decideInbound, type InboundDecision } from '../../src/app/decide-inbound.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { unpackSnapshot } from '../../src/core/snapshot-text.js';
import { decideWorkerData } from '../../src/compose.js';
import type { DecideInput, DecideOutput } from '../../src/decide-worker.js';
import { createLanguageDetector } from '../../src/adapters/flow-files/detect-language.js';
import { captureLogs } from '../support/logs.js';
import { botSettings } from '../support/settings.js';

// Issue 11: decideInbound on a worker thread (src/decide-worker.ts), fed in batches. It must
// decide exactly as the main thread does, and a thread that fails must cost speed, not a message.

const ENTRY = new URL('../../src/decide-worker.ts', import.meta.url);
// As compose builds them: with the language detector, which the thread makes again for itself.
const settings = botSettings({ detectLanguage: createLanguageDetector() });
const threads: Array<BatchThread<unknown, unknown>> = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((thread) => thread.close()));
});

function startThread(entry = ENTRY): { thread: BatchThread<DecideInput, DecideOutput>; logs: string[] } {
  const { logger, lines } = captureLogs('info');
  // As compose hands them over: the flows and the detector's table, no function.
  const data = decideWorkerData(settings);
  const thread = createBatchThread<DecideInput, DecideOutput>({
    entry,
    workerData: data,
    logger,
    what: 'decide',
  });
  threads.push(thread as BatchThread<unknown, unknown>);
  return { thread, logs: lines };
}

/** A thread that answers each input with how many batches have reached it. */
function countingThread(options: { handBackLone: boolean }): BatchThread<number, number> {
  const counting = `const { parentPort } = await import('node:worker_threads');
    let batches = 0;
    parentPort.on('message', ({ id, inputs }) => {
      batches += 1;
      parentPort.postMessage({ id, outputs: inputs.map(() => batches) });
    });`;
  const thread = createBatchThread<number, number>({
    entry: new URL(`data:text/javascript,${encodeURIComponent(counting)}`),
    workerData: null,
    logger: captureLogs('info').logger,
    what: 'test',
    handBackLone: options.handBackLone,
  });
  threads.push(thread as BatchThread<unknown, unknown>);
  return thread;
}

const text = (participant: string, body: string, i: number): InboundMessage => ({
  channel: 'sms',
  participant,
  conversationKey: participant,
  provider: 'twilio',
  externalId: `SM${participant}${i}`,
  text: body,
  receivedAt: Date.UTC(2026, 0, 6, 17, 0, i),
});

const CONVERSATIONS = [
  ['hi', 'we run payroll for restaurants', 'their CFO asked', 'thanks'],
  ['Hello', 'We store HR records for employers', 'a prospect sent a security questionnaire, their CISO', 'how much?'],
  ['hola', 'tenemos una plataforma de pagos para restaurantes', 'lo pide el director financiero', 'gracias'],
];

describe('the decide thread', () => {
  it('decides every text as the main thread does, many in one batch', { timeout: 30_000 }, async () => {
    const { thread } = startThread();
    let saved: Array<SavedConversation | null> = CONVERSATIONS.map(() => null);
    for (let turn = 0; turn < 4; turn += 1) {
      const messages = CONVERSATIONS.map((texts, n) => text(`+1415555000${n}`, texts[turn] ?? '', turn));
      // Handed over together: one batch.
      const there = await Promise.all(messages.map((m, n) => thread.run([m, saved[n] ?? null, false])));
      const here = messages.map((m, n) => decideInbound(settings, m, saved[n] ?? null, () => false));
      // Each snapshot comes back as the JSON text the store writes (snapshot-text.ts).
      expect(there.map((d) => d?.snapshotText)).toEqual(here.map((d) => JSON.stringify(d.snapshot)));
      expect(there.map((d) => d && unpackSnapshot<InboundDecision>(d))).toEqual(here);
      saved = here.map((d, n) => ({
        id: n + 1,
        machineVersion: d.machineVersion,
        snapshot: d.snapshot,
        version: turn,
      }));
    }
  });

  it(
    'answers null for a text whose decide needs the kept opt-out the peek did not read',
    { timeout: 30_000 },
    async () => {
      const { thread } = startThread();
      expect(await thread.run([text('+14155550001', 'hi', 0), null, null])).toBeNull();
      expect(await thread.run([text('+14155550001', 'hi', 0), null, true])).toMatchObject({ replies: [] });
    },
  );

  it('hands a lone item back when the thread is idle, and takes items that come together', async () => {
    const thread = countingThread({ handBackLone: true });
    expect(await thread.run(1)).toBeNull();
    expect(await Promise.all([thread.run(2), thread.run(3)])).toEqual([1, 1]);
    expect(await thread.run(4)).toBeNull();
    // Without the option, a lone item goes to the thread as any other.
    const plain = countingThread({ handBackLone: false });
    expect(await plain.run(1)).toBe(1);
  });

  it('hands a batch over in the turn its items came in: after their promise continuations, before the event loop goes on', async () => {
    const thread = countingThread({ handBackLone: true });
    // Items handed over by the continuations of promises settled together (the peeks of one read
    // batch, in the bot) go in one message: each continuation runs before the batch leaves.
    const settled = Promise.resolve();
    const together = [5, 6, 7].map(async (n) => {
      await settled;
      return thread.run(n);
    });
    expect(await Promise.all(together)).toEqual([1, 1, 1]);
    // And the batch leaves before the event loop runs anything else: a lone item handed over in a
    // check-phase callback is handed back (decided in place) before the next immediate, not a turn later.
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        setImmediate(() => {
          order.push('next immediate');
          resolve();
        });
        void thread.run(8).then((answer) => order.push(`lone answered ${String(answer)}`));
      });
    });
    expect(order).toEqual(['lone answered null', 'next immediate']);
  });

  it('gives up a thread that stops answering: null, said once, and the texts after too', async () => {
    // Answers its first batch, then is stuck in a loop.
    const stuck = `const { parentPort } = await import('node:worker_threads');
      let batches = 0;
      parentPort.on('message', ({ id, inputs }) => {
        if ((batches += 1) > 1) for (;;);
        parentPort.postMessage({ id, outputs: inputs.map(() => null) });
      });`;
    const silent = new URL(`data:text/javascript,${encodeURIComponent(stuck)}`);
    const { logger, lines } = captureLogs('info');
    const thread = createBatchThread<DecideInput, InboundDecision>({
      entry: silent,
      workerData: null,
      logger,
      what: 'decide',
      answerWithinMs: 200,
    });
    threads.push(thread as BatchThread<unknown, unknown>);
    expect(await thread.run([text('+14155550003', 'hi', 0), null, false])).toBeNull();
    expect(lines.filter((line) => line.includes('thread stopped'))).toEqual([]);
    expect(await thread.run([text('+14155550003', 'hi', 1), null, false])).toBeNull();
    expect(await thread.run([text('+14155550003', 'hi', 2), null, false])).toBeNull();
    expect(lines.filter((line) => line.includes('the decide thread stopped (no answer in 200 ms)'))).toHaveLength(1);
  });

  it('resolves null, and says so once, when the thread fails; later texts too', { timeout: 30_000 }, async () => {
    const broken = new URL(`data:text/javascript,${encodeURIComponent('throw new Error("no flows here")')}`);
    const { thread, logs } = startThread(broken);
    expect(await thread.run([text('+14155550002', 'hi', 0), null, false])).toBeNull();
    expect(await thread.run([text('+14155550002', 'hi', 1), null, false])).toBeNull();
    const said = logs.filter((line) => line.includes('the decide thread stopped'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/no flows here.*decided on the main thread/);
  });
});
