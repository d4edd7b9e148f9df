import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports.js';
import type { SharedDatabase } from './outbox.contract.js';

// PJ's own messages run once (AdvisorLog), whichever store instance on the database gets them.

export function describeAdvisorLogContract(name: string, database: () => SharedDatabase): void {
  describe(`AdvisorLog contract: ${name}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    async function two(): Promise<[Store, Store]> {
      const shared = database();
      const a = await shared.open();
      const b = await shared.open();
      opened.push(a, b);
      return [a, b];
    }

    it('runs a message from PJ once, across store instances, and forgets a failed run', async () => {
      const [a, b] = await two();
      let runs = 0;
      const work = async () => `done ${++runs}`;
      expect(await a.onceForAdvisor('twilio', 'SM1', 1, work)).toEqual({ answer: 'done 1', repeated: false });
      expect(await b.onceForAdvisor('twilio', 'SM1', 2, work)).toEqual({ answer: 'done 1', repeated: true });
      expect(await a.onceForAdvisor('slack', 'SM1', 3, work)).toEqual({ answer: 'done 2', repeated: false });

      await expect(a.onceForAdvisor('twilio', 'SM2', 4, () => Promise.reject(new Error('busy')))).rejects.toThrow(
        'busy',
      );
      expect(await b.onceForAdvisor('twilio', 'SM2', 5, work)).toEqual({ answer: 'done 3', repeated: false });

      // A repeat while the first run is still going finds no answer, and does not run it again.
      let release = () => undefined as void;
      let started = () => undefined as void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = a.onceForAdvisor('twilio', 'SM3', 6, () => {
        started();
        return new Promise<string>((r) => (release = () => r('slow')));
      });
      await running;
      expect(await b.onceForAdvisor('twilio', 'SM3', 7, work)).toEqual({ answer: null, repeated: true });
      release();
      expect(await slow).toEqual({ answer: 'slow', repeated: false });
      expect(runs).toBe(3);
    });

    it('runs one of the same message arriving on two instances at once', async () => {
      const [a, b] = await two();
      let runs = 0;
      const work = async () => `done ${++runs}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).onceForAdvisor('twilio', 'SM-race', i, work)),
      );
      expect(runs).toBe(1);
      expect(results.filter((result) => !result.repeated)).toEqual([{ answer: 'done 1', repeated: false }]);
    });
  });
}
