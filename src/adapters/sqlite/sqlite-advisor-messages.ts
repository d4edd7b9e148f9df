import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { AdvisorLog } from '../../core/ports.js';

const answerRow = z.object({ answer: z.string().nullable() });

/** PJ's own messages, recorded before they run so a retried delivery never runs twice. */
export function createSqliteAdvisorMessages(db: Database.Database): AdvisorLog {
  const claim = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO advisor_messages (provider, external_id, received_at) VALUES (?, ?, ?)',
  );
  const read = db.prepare<[string, string]>(
    'SELECT answer FROM advisor_messages WHERE provider = ? AND external_id = ?',
  );
  const answer = db.prepare<[string, string, string]>(
    'UPDATE advisor_messages SET answer = ? WHERE provider = ? AND external_id = ?',
  );
  const forget = db.prepare<[string, string]>('DELETE FROM advisor_messages WHERE provider = ? AND external_id = ?');

  return {
    async onceForAdvisor(provider, externalId, now, work) {
      if (claim.run(provider, externalId, now).changes === 0) {
        return { answer: answerRow.parse(read.get(provider, externalId)).answer, repeated: true };
      }
      try {
        const result = await work();
        answer.run(result, provider, externalId);
        return { answer: result, repeated: false };
      } catch (error) {
        forget.run(provider, externalId);
        throw error;
      }
    },
  };
}
