import type Database from 'better-sqlite3';
import type { Status } from '../../core/conversation.js';
import type { Retention } from '../../core/ports.js';

/** Keeps the sender's opt-out in step with the status just saved; joins the caller's transaction. */
export type KeepOptOut = (conversationId: number, status: Status, now: number) => void;

export interface SqliteOptOuts {
  keep: KeepOptOut;
  isOptedOut: Retention['isOptedOut'];
  /** isOptedOut inside the caller's transaction. */
  isOptedOutNow(channel: string, participant: string): boolean;
}

/** The senders who opted out, by channel and participant: kept when their conversations go. */
export function createSqliteOptOuts(db: Database.Database): SqliteOptOuts {
  // The first opt-out is kept: a later STOP on an opted-out conversation changes nothing.
  const add = db.prepare<{ id: number; now: number }>(
    `INSERT INTO opt_outs (channel, participant, opted_out_at)
     SELECT channel, participant, @now FROM conversations WHERE id = @id
     ON CONFLICT (channel, participant) DO NOTHING`,
  );
  const lift = db.prepare<{ id: number }>(
    `DELETE FROM opt_outs
     WHERE (channel, participant) = (SELECT channel, participant FROM conversations WHERE id = @id)`,
  );
  const find = db.prepare<[string, string]>('SELECT 1 FROM opt_outs WHERE channel = ? AND participant = ?');

  return {
    keep: (conversationId, status, now) => {
      switch (status) {
        case 'opted_out':
          add.run({ id: conversationId, now });
          return;
        // An open conversation for the sender means they opted back in (or never opted out).
        case 'bot':
        case 'waiting':
        case 'human':
          lift.run({ id: conversationId });
          return;
        // Closing an old conversation says nothing about the sender's consent.
        case 'closed':
          return;
      }
    },
    isOptedOut: async (channel, participant) => find.get(channel, participant) !== undefined,
    isOptedOutNow: (channel, participant) => find.get(channel, participant) !== undefined,
  };
}
