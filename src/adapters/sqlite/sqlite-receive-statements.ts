import type Database from 'better-sqlite3';
import type { InboundMessage } from '../../core/conversation.js';
import type { Decision, SavedConversation } from '../../core/ports.js';
import { createDecisionWriter } from './sqlite-decision-writes.js';
import { createSqliteOptOuts } from './sqlite-opt-outs.js';
import { createSqliteOutbox } from './sqlite-outbox.js';
import { openConversationSql, parseProcessedRow, parseSavedRow, savedColumns } from './sqlite-rows.js';

/** Which saved conversation a decision was made on: its id and row version, or null for none (a new one). */
type DecidedOn = { id: number; version: number } | null;

/** What a receive reads and writes, on one connection; writes join the caller's transaction. */
export interface ReceiveStatements {
  /** What was recorded when this message id was first handled, or undefined. */
  processed(message: InboundMessage): { conversationId: number; replies: string[] } | undefined;
  /** The sender's open conversation as saved, with its row version (in `saved` too), or null. */
  open(message: InboundMessage): { saved: SavedConversation; version: number } | null;
  /** The id and row version of the sender's open conversation now, or null: what `write` expects. */
  openVersion(message: InboundMessage): DecidedOn;
  /**
   * Saves `decision` over the conversation it was made on (a new one when null) with where the
   * sender's number is, then the inbound text, the replies, the decision's extras and the message
   * id; returns the conversation id.
   */
  write(message: InboundMessage, decision: Decision, on: DecidedOn): number;
}

export function createReceiveStatements(db: Database.Database): ReceiveStatements {
  const write = createDecisionWriter(db, createSqliteOutbox(db).insertDrafts, createSqliteOptOuts(db).keep);
  const findProcessed = db.prepare<[string, string, string, string]>(
    `SELECT p.conversation_id, p.replies FROM conversations AS c
       JOIN processed_inbound AS p ON p.conversation_id = c.id AND p.provider = ? AND p.external_id = ?
     WHERE c.channel = ? AND c.conversation_key = ? LIMIT 1`,
  );
  const findOpenSaved = db.prepare<[string, string]>(openConversationSql(savedColumns));
  const findOpenVersion = db.prepare<[string, string], { id: number; version: number }>(
    openConversationSql('id, version'),
  );
  // The usual turn, the inbound text and one reply, in one statement.
  const insertTurn = db.prepare<[number, number, string, string, number, number, string]>(
    `INSERT INTO messages (conversation_id, at, direction, author, text, external_id)
     VALUES (?, ?, 'in', 'user', ?, ?), (?, ?, 'out', 'bot', ?, NULL)`,
  );
  const insertProcessed = db.prepare<[string, string, number, number, string]>(
    `INSERT INTO processed_inbound (provider, external_id, conversation_id, received_at, replies)
     VALUES (?, ?, ?, ?, ?)`,
  );

  return {
    processed(message) {
      const row = findProcessed.get(message.provider, message.externalId, message.channel, message.conversationKey);
      return row === undefined ? undefined : parseProcessedRow(row);
    },
    open(message) {
      const row = findOpenSaved.get(message.channel, message.conversationKey);
      if (row === undefined) return null;
      const { saved, version } = parseSavedRow(row);
      // Handed to the decide too: a decision made ahead on a peek fits only the same version.
      return { saved: { ...saved, version }, version };
    },
    openVersion(message) {
      const row = findOpenVersion.get(message.channel, message.conversationKey);
      return row === undefined ? null : { id: row.id, version: row.version };
    },
    write(message, decision, on) {
      const at = message.receivedAt;
      let conversationId: number;
      if (on === null) {
        // The first sender names the conversation; later senders in the same thread do not change it.
        conversationId = write.create(message, decision);
      } else {
        conversationId = on.id;
        write.save(conversationId, on.version, decision, at, message.region);
      }
      const [only, ...more] = decision.replies;
      // A message with attachments takes the longer way: they are kept against its own line's id.
      if (only !== undefined && more.length === 0 && message.media === undefined) {
        insertTurn.run(conversationId, at, message.text, message.externalId, conversationId, at, only);
      } else {
        const inbound = write.append(
          conversationId,
          at,
          { direction: 'in', author: 'user', text: message.text },
          message.externalId,
        );
        if (message.media !== undefined) write.appendMedia(conversationId, inbound, message.media, at);
        for (const reply of decision.replies) {
          write.append(conversationId, at, { direction: 'out', author: 'bot', text: reply });
        }
      }
      write.applyExtras(conversationId, decision, at);
      insertProcessed.run(message.provider, message.externalId, conversationId, at, JSON.stringify(decision.replies));
      return conversationId;
    },
  };
}
