// Spawned by the SQLite durability test: writes through the real store, acknowledges each
// message on stdout once receive() resolved, then idles until the test SIGKILLs it.
import type { Decide } from '../../src/core/ports.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';

const [path, countArg] = process.argv.slice(2);
if (path === undefined || countArg === undefined) throw new Error('usage: sqlite-writer-child <db-path> <count>');
const count = Number(countArg);

const store = createSqliteConversationStore(path);
const decide: Decide = (saved) => ({
  machineVersion: 1,
  snapshot: { previous: saved?.id ?? null },
  summary: {
    status: 'bot',
    awaiting: 'product',
    answers: { product: null, asker: null },
    verdict: null,
    side: 'client',
    flags: [],
  },
  replies: ['ok'],
});

for (let n = 1; n <= count; n += 1) {
  await store.receive(
    {
      channel: 'sms',
      participant: '+15550000009',
      conversationKey: '+15550000009',
      provider: 'twilio',
      externalId: `m${n}`,
      text: `message ${n}`,
      receivedAt: Date.now(),
    },
    decide,
  );
  process.stdout.write(`done ${n}\n`);
}

// Keep the connection open: a clean close would checkpoint the WAL and hide what a crash loses.
setInterval(() => undefined, 60_000);
