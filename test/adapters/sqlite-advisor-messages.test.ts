import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { describeAdvisorLogContract } from '../contract/advisor-log.contract.js';
import { tempDatabasePath } from '../support/sms-harness.js';

describeAdvisorLogContract('sqlite (two connections to one file)', () => {
  const path = tempDatabasePath();
  return { open: () => createSqliteConversationStore(path) };
});
