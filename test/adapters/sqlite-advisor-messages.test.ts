import { describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { tempDatabasePath } from '../support/sms-harness.js';

describe('onceForAdvisor (SQLite)', () => {
  it('runs a message from PJ once, across store instances, and forgets a failed run', async () => {
    const path = tempDatabasePath();
    const a = createSqliteConversationStore(path);
    const b = createSqliteConversationStore(path);
    let runs = 0;
    const work = async () => `done ${++runs}`;
    try {
      expect(await a.onceForAdvisor('twilio', 'SM1', 1, work)).toEqual({ answer: 'done 1', repeated: false });
      expect(await b.onceForAdvisor('twilio', 'SM1', 2, work)).toEqual({ answer: 'done 1', repeated: true });
      expect(await a.onceForAdvisor('slack', 'SM1', 3, work)).toEqual({ answer: 'done 2', repeated: false });

      await expect(a.onceForAdvisor('twilio', 'SM2', 4, () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
      expect(await b.onceForAdvisor('twilio', 'SM2', 5, work)).toEqual({ answer: 'done 3', repeated: false });

      // A repeat while the first run is still going finds no answer, and does not run it again.
      let release = () => undefined as void;
      const slow = a.onceForAdvisor('twilio', 'SM3', 6, () => new Promise<string>((r) => (release = () => r('slow'))));
      expect(await b.onceForAdvisor('twilio', 'SM3', 7, work)).toEqual({ answer: null, repeated: true });
      release();
      expect(await slow).toEqual({ answer: 'slow', repeated: false });
      expect(runs).toBe(3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
