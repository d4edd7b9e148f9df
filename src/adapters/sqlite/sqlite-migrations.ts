import type Database from 'better-sqlite3';

interface SqliteMigration {
  /** Strictly increasing; a version, once shipped, is never edited, only followed by a new one. */
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'conversations, transcript and inbound dedupe',
    // Channel and status get no CHECK: adding a value later would force a table rebuild in SQLite,
    // and rows are validated with zod on the way out anyway. Direction and author are closed sets.
    sql: `
      CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        participant TEXT NOT NULL,
        status TEXT NOT NULL,
        awaiting TEXT,
        answers TEXT NOT NULL CHECK (json_valid(answers)),
        verdict TEXT,
        flags TEXT NOT NULL CHECK (json_valid(flags)),
        snapshot TEXT NOT NULL CHECK (json_valid(snapshot)),
        machine_version INTEGER NOT NULL,
        version INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX conversations_sender ON conversations (channel, participant, id);
      CREATE INDEX conversations_recent ON conversations (updated_at DESC, id DESC);

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        at INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        author TEXT NOT NULL CHECK (author IN ('user', 'bot', 'advisor')),
        text TEXT NOT NULL,
        external_id TEXT
      );
      CREATE INDEX messages_conversation ON messages (conversation_id, id);

      CREATE TABLE processed_inbound (
        provider TEXT NOT NULL,
        external_id TEXT NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        received_at INTEGER NOT NULL,
        replies TEXT NOT NULL CHECK (json_valid(replies)),
        PRIMARY KEY (provider, external_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'conversation key',
    // A Slack thread is one conversation with several senders, so conversations are found by key,
    // not by participant. Until now the key was the participant; participant stays the first
    // sender, which the admin API filters on. ADD COLUMN cannot be NOT NULL without a default, so
    // the store always writes it instead.
    sql: `
      ALTER TABLE conversations ADD COLUMN conversation_key TEXT;
      UPDATE conversations SET conversation_key = participant;
      CREATE INDEX conversations_key ON conversations (channel, conversation_key, id);
    `,
  },
  {
    version: 3,
    name: 'transcript events, deadlines, outbox and desk threads',
    // SQLite cannot alter a CHECK, so messages is rebuilt under a new name and renamed back.
    // Foreign keys stay on: nothing references messages, the copy re-checks each row against
    // conversations, and dropping child rows cannot break a reference. The rename moves the
    // table's sqlite_sequence row, so AUTOINCREMENT carries on from the copied ids.
    // Deadlines get partial indexes: listDue's "remind_at <= ? OR idle_at <= ?" reads both.
    // provider_id is not UNIQUE: a Slack ts is only unique within its channel, and a clash must
    // not make marking a message sent fail after it went out.
    sql: `
      CREATE TABLE messages_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        at INTEGER NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'event')),
        author TEXT NOT NULL CHECK (author IN ('user', 'bot', 'advisor')),
        text TEXT NOT NULL,
        external_id TEXT
      );
      INSERT INTO messages_v3 (id, conversation_id, at, direction, author, text, external_id)
        SELECT id, conversation_id, at, direction, author, text, external_id FROM messages ORDER BY id;
      DROP TABLE messages;
      ALTER TABLE messages_v3 RENAME TO messages;
      CREATE INDEX messages_conversation ON messages (conversation_id, id);

      ALTER TABLE conversations ADD COLUMN remind_at INTEGER;
      ALTER TABLE conversations ADD COLUMN idle_at INTEGER;
      CREATE INDEX conversations_remind_at ON conversations (remind_at) WHERE remind_at IS NOT NULL;
      CREATE INDEX conversations_idle_at ON conversations (idle_at) WHERE idle_at IS NOT NULL;

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        destination TEXT NOT NULL CHECK (json_valid(destination)),
        destination_key TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        claimed_until INTEGER,
        provider_id TEXT,
        delivery_status TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_recipient ON outbox (conversation_id, destination_key, id);
      CREATE INDEX outbox_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;

      CREATE TABLE desk_threads (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id),
        channel TEXT NOT NULL,
        ts TEXT NOT NULL,
        UNIQUE (channel, ts)
      );
    `,
  },
  {
    version: 4,
    name: "the advisor's own messages, run once",
    // PJ's commands and relayed replies are not client messages, so processed_inbound (which
    // points at a conversation) cannot hold them; a retried delivery must still run only once.
    sql: `
      CREATE TABLE advisor_messages (
        provider TEXT NOT NULL,
        external_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        answer TEXT,
        PRIMARY KEY (provider, external_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'conversation side',
    // The buying side (a vendor manager choosing what to request) gets advice for the buying side;
    // the verdict column then holds the report to request.
    sql: `ALTER TABLE conversations ADD COLUMN side TEXT NOT NULL DEFAULT 'client';`,
  },
  {
    version: 6,
    name: 'retention: opt-outs kept by number, indexes for the sweep',
    // An opt-out must outlive the conversation the retention sweep or an erasure removes, so the
    // sender is kept apart, and nothing else about them. Numbers already opted out are copied in.
    // processed_inbound gets an index on conversation_id: deleting a conversation checks its
    // foreign keys, and the sweep deletes by age.
    sql: `
      CREATE TABLE opt_outs (
        channel TEXT NOT NULL,
        participant TEXT NOT NULL,
        opted_out_at INTEGER NOT NULL,
        PRIMARY KEY (channel, participant)
      ) WITHOUT ROWID;
      INSERT INTO opt_outs (channel, participant, opted_out_at)
        SELECT channel, participant, max(updated_at) FROM conversations WHERE status = 'opted_out'
        GROUP BY channel, participant;
      CREATE INDEX processed_inbound_conversation ON processed_inbound (conversation_id);
      CREATE INDEX processed_inbound_received ON processed_inbound (received_at);
      CREATE INDEX advisor_messages_received ON advisor_messages (received_at);
    `,
  },
  {
    version: 7,
    name: 'web chat: session histories, the session secret, capped phone notices',
    // A web chat session's history is what its panel shows (the visitor's lines, the bot's with
    // their buttons and cards, PJ's), kept by session and belonging to a conversation: Retention
    // removes the lines with it. The secret web session ids are signed with, when
    // WEB_SESSION_SECRET is not set, is generated once and kept here for every instance.
    // phone_notices: the one notice per web conversation that may reach PJ's phone, and when.
    sql: `
      CREATE TABLE web_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session TEXT NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        message_id TEXT,
        at INTEGER NOT NULL,
        author TEXT NOT NULL CHECK (author IN ('visitor', 'bot', 'advisor')),
        line TEXT NOT NULL CHECK (json_valid(line)),
        seen_at INTEGER
      );
      CREATE INDEX web_events_session ON web_events (session, id);
      CREATE INDEX web_events_message ON web_events (session, message_id) WHERE message_id IS NOT NULL;
      CREATE INDEX web_events_conversation ON web_events (conversation_id);

      CREATE TABLE bot_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE phone_notices (
        conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id),
        at INTEGER NOT NULL
      );
      CREATE INDEX phone_notices_at ON phone_notices (at);
    `,
  },
  {
    version: 8,
    name: "PJ's pipeline: when a conversation was first flagged and first answered by PJ, the verdict's basis, his review",
    // Both times are kept as they happen (flags are never taken back, so the first flag stays the
    // first). Earlier conversations get PJ's first reply from their transcript and their first flag
    // from the flag notice in the outbox where one is left; otherwise their flag time stays unknown
    // and they are left out of the median wait. verdict_basis and review are JSON the store validates.
    sql: `
      ALTER TABLE conversations ADD COLUMN flagged_at INTEGER;
      ALTER TABLE conversations ADD COLUMN advisor_replied_at INTEGER;
      ALTER TABLE conversations ADD COLUMN verdict_basis TEXT CHECK (verdict_basis IS NULL OR json_valid(verdict_basis));
      ALTER TABLE conversations ADD COLUMN review TEXT CHECK (review IS NULL OR json_valid(review));
      UPDATE conversations SET advisor_replied_at = (
        SELECT min(at) FROM messages AS m WHERE m.conversation_id = conversations.id AND m.author = 'advisor' AND m.direction = 'out');
      UPDATE conversations SET flagged_at = (
        SELECT min(o.created_at) FROM outbox AS o
        WHERE o.conversation_id = conversations.id AND json_extract(o.payload, '$.notice.kind') = 'flagged')
      WHERE flags != '[]';
      CREATE INDEX conversations_created ON conversations (created_at, id);
      CREATE INDEX conversations_reviewed ON conversations (id) WHERE review IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: "the client's language",
    // What the client writes in and the bot answers in (issue 14), for PJ's surfaces; conversations
    // from before are English, which is what the bot spoke in them.
    sql: `ALTER TABLE conversations ADD COLUMN language TEXT NOT NULL DEFAULT 'en';`,
  },
  {
    version: 10,
    name: "PJ's daily digest: outbox items about no conversation, one digest a day",
    // The digest goes through the outbox like every message, but belongs to no conversation, so
    // conversation_id may be NULL; SQLite cannot drop a NOT NULL, so the table is rebuilt as
    // migration 3 rebuilt messages (nothing references outbox; the rename carries the id counter).
    // daily_digests is the key that makes a day's digest once-only across restarts and instances.
    sql: `
      CREATE TABLE outbox_v10 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER REFERENCES conversations (id),
        destination TEXT NOT NULL CHECK (json_valid(destination)),
        destination_key TEXT NOT NULL,
        payload TEXT NOT NULL CHECK (json_valid(payload)),
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        claimed_until INTEGER,
        provider_id TEXT,
        delivery_status TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO outbox_v10 (id, conversation_id, destination, destination_key, payload, status, attempts,
          next_attempt_at, claimed_until, provider_id, delivery_status, error, created_at, updated_at)
        SELECT id, conversation_id, destination, destination_key, payload, status, attempts,
          next_attempt_at, claimed_until, provider_id, delivery_status, error, created_at, updated_at
        FROM outbox ORDER BY id;
      DROP TABLE outbox;
      ALTER TABLE outbox_v10 RENAME TO outbox;
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_recipient ON outbox (conversation_id, destination_key, id);
      CREATE INDEX outbox_provider_id ON outbox (provider_id) WHERE provider_id IS NOT NULL;

      CREATE TABLE daily_digests (
        day TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 11,
    name: 'attachments kept with their transcript line',
    // One row per MMS picture (or other file) a client sent, in the order the provider gave them.
    // The link is always kept; with TWILIO_FETCH_MEDIA the file itself is downloaded into `data`,
    // so every instance can show it: `state` goes linked -> fetching -> stored, or to tooLarge or
    // failed with the link kept. conversation_id is kept too: the retention sweep and an erasure
    // delete by conversation.
    sql: `
      CREATE TABLE message_media (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id INTEGER NOT NULL REFERENCES messages (id),
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        position INTEGER NOT NULL,
        url TEXT NOT NULL,
        content_type TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('linked', 'fetching', 'stored', 'tooLarge', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        claimed_until INTEGER,
        size INTEGER,
        data BLOB,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX message_media_conversation ON message_media (conversation_id, message_id, position);
      CREATE INDEX message_media_message ON message_media (message_id);
      CREATE INDEX message_media_due ON message_media (state, next_attempt_at) WHERE state IN ('linked', 'fetching');
    `,
  },
  {
    version: 12,
    name: 'quiet hours: texts held until the client is awake, and where the number is',
    // not_before marks a text the bot started that waits for the client's daytime (QUIET_HOURS):
    // next_attempt_at says when it is due, as for any item; not_before says it is held, so it does
    // not hold up later items and a decision may drop it. region is Twilio's FromState, for a
    // number whose area code does not say where it is.
    sql: `
      ALTER TABLE outbox ADD COLUMN not_before INTEGER;
      CREATE INDEX outbox_held ON outbox (conversation_id) WHERE not_before IS NOT NULL AND status = 'pending';
      ALTER TABLE conversations ADD COLUMN region TEXT;
    `,
  },
  {
    version: 13,
    name: 'inbound dedupe in arrival order',
    // Issue 11: keyed by the provider's random message id, WITHOUT ROWID, each row (replies and
    // all, up to a few hundred bytes) went to a random page: about 40 of the 70 pages a group
    // commit wrote, with a page split every few texts. Rows now go at the end, in arrival order;
    // only the narrow unique index on the message id takes a random page.
    sql: `
      CREATE TABLE processed_inbound_v13 (
        provider TEXT NOT NULL,
        external_id TEXT NOT NULL,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id),
        received_at INTEGER NOT NULL,
        replies TEXT NOT NULL CHECK (json_valid(replies))
      );
      INSERT INTO processed_inbound_v13 (provider, external_id, conversation_id, received_at, replies)
        SELECT provider, external_id, conversation_id, received_at, replies FROM processed_inbound
        ORDER BY received_at;
      DROP TABLE processed_inbound;
      ALTER TABLE processed_inbound_v13 RENAME TO processed_inbound;
      CREATE UNIQUE INDEX processed_inbound_key ON processed_inbound (provider, external_id);
      CREATE INDEX processed_inbound_conversation ON processed_inbound (conversation_id);
      CREATE INDEX processed_inbound_received ON processed_inbound (received_at);
    `,
  },
  {
    version: 14,
    name: "inbound dedupe within the sender's conversations",
    // Issue 11: the unique index on the provider's random message id took a random page in every
    // text's commit, about 1.1 of the 2.5 pages a text wrote to the WAL. A provider retries a
    // message from the same sender (channel and conversation key), so a message id is now unique
    // within a conversation and looked up through the sender's conversations: the index follows
    // the conversation id, and the conversations that are texting are the recent ones, at its end.
    // It also serves the deletes by conversation, so the index on conversation_id alone goes.
    sql: `
      DROP INDEX processed_inbound_key;
      DROP INDEX processed_inbound_conversation;
      CREATE UNIQUE INDEX processed_inbound_key ON processed_inbound (conversation_id, provider, external_id);
    `,
  },
];

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own transaction so a
 * failing one leaves the database at the previous version rather than half-migrated.
 */
export function runSqliteMigrations(
  db: Database.Database,
  migrations: readonly SqliteMigration[] = sqliteMigrations,
  now: () => number = Date.now,
): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous !== undefined && migration.version <= previous.version) {
      throw new Error(`sqlite migrations out of order at version ${migration.version}`);
    }
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = db.prepare<[number]>('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, number]>('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const migration of migrations) {
    // Checked under the write lock: two processes starting together must not both apply it.
    db.transaction(() => {
      if (applied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      // A table rebuild must not leave a dangling reference; throwing rolls the migration back.
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) {
        throw new Error(`sqlite migration ${migration.version} broke foreign keys: ${JSON.stringify(broken)}`);
      }
      record.run(migration.version, now());
    }).immediate();
  }
}
