import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { composeBot } from './compose.js';
import { describeStoreChoice, parseConfig } from './config.js';
import { countSegments } from './core/sms-segments.js';
import { loadDotEnv } from './load-env.js';

/**
 * A terminal stand-in for a phone: each line you type is an SMS from --from to the bot, handled
 * by the same machine and stored in the same database as real texts.
 */
async function chat(): Promise<void> {
  loadDotEnv();
  const { values } = parseArgs({ options: { from: { type: 'string', default: '+15555550100' } } });
  const from = values.from ?? '+15555550100';
  if (!/^\+[1-9]\d{6,14}$/.test(from)) throw new Error(`--from must be an E.164 number like +15555550100, got ${from}`);
  const config = parseConfig(process.env);
  const { store, handleInbound: handle } = composeBot(config);
  const rl = createInterface({ input: process.stdin, terminal: false });
  console.log(
    `Texting the bot as ${from} (database ${describeStoreChoice(config.database)}). Type a message; Ctrl+D to quit.`,
  );
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const result = await handle({
      channel: 'sms',
      participant: from,
      conversationKey: from,
      provider: 'simulator',
      externalId: randomUUID(),
      text: line,
      receivedAt: Date.now(),
    });
    if (result.replies.length === 0) console.log('bot: (no reply)');
    for (const reply of result.replies) {
      const { segments, encoding } = countSegments(reply);
      console.log(`bot: ${reply}\n     [${segments} segment${segments === 1 ? '' : 's'}, ${encoding}]`);
    }
  }
  await store.close();
}

chat().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
