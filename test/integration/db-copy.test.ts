import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { Store } from '../../src/core/ports.js';
import { fakeDecide, toClient } from '../contract/fake-decide.js';
import { REPO_ROOT } from '../support/bot-process.js';
import { createSchemas, describePostgres } from '../support/postgres.js';
import { botSettings } from '../support/settings.js';
import { tempDatabasePath } from '../support/sms-harness.js';

// npm run db:copy moves a SQLite database into PostgreSQL: everything a store reads comes back the
// same, opt-outs included, ids keep their numbers and never come back, dedupe carries over.

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9);
const settings = botSettings({ handoff: { notifySms: '+18585550199', desk: true } });

function dbCopy(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', ['run', '--silent', 'db:copy', '--', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** Everything the store reads back, conversation by conversation. */
async function everything(store: Store) {
  const conversations = await store.list({});
  return Promise.all(
    conversations.map(async (record) => ({
      detail: await store.get(record.id),
      exported: await store.exportConversation(record.id),
      thread: await store.getDeskThread(record.id),
    })),
  );
}

describePostgres('npm run db:copy', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  afterAll(() => schemas.dropAll());

  it(
    'copies a SQLite database into an empty PostgreSQL one, opt-outs included, and refuses a second copy',
    { timeout: 60_000 },
    async () => {
      const path = tempDatabasePath();
      const sqlite = createSqliteConversationStore(path);
      const handle = createInboundHandler(sqlite, settings);
      const actions = createAdvisorActions(sqlite, settings, () => T0 + 10 * MINUTE);
      const sms = (from: string, id: string, text: string, at: number) =>
        handle({
          channel: 'sms',
          participant: from,
          conversationKey: from,
          provider: 'twilio',
          externalId: id,
          text,
          receivedAt: at,
        });
      await sms('+14155550101', 'A1', 'hi', T0);
      await sms('+14155550101', 'A2', 'we run payroll for restaurants', T0 + 1);
      const flagged = await sms('+14155550102', 'B1', 'can I talk to a person', T0 + 2);
      await actions.takeOver(flagged.conversationId, 'console');
      await actions.reply(flagged.conversationId, 'PJ here', 'slack', { channel: 'C1', ts: '1.1' });
      await sqlite.setDeskThread(flagged.conversationId, 'C9', '1700000000.000100');
      await sms('+14155550103', 'C1', 'hi', T0 + 3);
      await sms('+14155550103', 'C2', 'STOP', T0 + 4);
      // Erased: its number must never be given to a new conversation in PostgreSQL either.
      const erased = await sms('+14155550104', 'D1', 'STOP', T0 + 5);
      await sqlite.eraseConversation(erased.conversationId);
      await sqlite.onceForAdvisor('twilio', 'SM-PJ-1', T0 + 6, async () => 'done');
      // A web chat visitor: the panel's history, the shared session secret, the phone notice taken.
      const web = await sqlite.receive(
        {
          channel: 'web',
          participant: 'sess-1',
          conversationKey: 'sess-1',
          provider: 'web',
          externalId: 'sess-1:m1',
          text: 'hi',
          receivedAt: T0 + 7,
        },
        fakeDecide({ replies: ['What does your product do?'] }).decide,
      );
      await sqlite.appendWebEvents(
        'sess-1',
        web.conversationId,
        [
          { from: 'visitor', line: { text: 'hi' }, messageId: 'm1' },
          {
            from: 'bot',
            line: { text: 'What does your product do?', choices: [{ label: 'CRM', value: 'product:1' }] },
            messageId: 'm1',
          },
        ],
        T0 + 7,
      );
      await sqlite.webSessionSecret('a-secret-for-web-sessions-0123456789');
      expect(await sqlite.reservePhoneNotice(web.conversationId, T0 + 8, 6)).toBe(true);
      const [claimed] = await sqlite.claimOutbox(T0 + 20 * MINUTE, MINUTE, 1);
      if (claimed) await sqlite.markOutboxSent(claimed.id, 'SM-sent-1', T0 + 20 * MINUTE);
      await sqlite.close();
      // Straight in the file: a conversation that ended opted out with no opt-out row, and a
      // conversation in Spanish (every column must arrive, not only the defaults).
      const raw = new Database(path);
      raw.prepare("DELETE FROM opt_outs WHERE participant = '+14155550103'").run();
      raw.prepare("UPDATE conversations SET language = 'es' WHERE participant = '+14155550101'").run();
      raw.close();
      const reopened = createSqliteConversationStore(path);
      const before = await everything(reopened);
      const webHistory = await reopened.listWebEvents('sess-1', 0, 10);
      const webId = webHistory[0]?.conversationId ?? 0;
      expect(webHistory).toHaveLength(2);
      await reopened.close();
      expect(JSON.stringify(before)).toContain('"language":"es"');

      const target = await schemas.fresh();
      const copy = await dbCopy(['--from', `file:${path}`, '--to', target]);
      expect(copy.output).toMatch(
        /db:copy: copied .* conversations 4, messages \d+, message_media 0, processed_inbound 6, outbox \d+, desk_threads 1, advisor_messages 1, opt_outs 2, web_events 2, bot_secrets 1, phone_notices 1, daily_digests 0/,
      );
      expect(copy.code).toBe(0);

      const pg = createPostgresStore({ url: target, max: 2 });
      try {
        expect(await everything(pg)).toEqual(before);
        expect(await pg.isOptedOut('sms', '+14155550103')).toBe(true);
        expect(await pg.isOptedOut('sms', '+14155550104')).toBe(true);
        expect(await pg.isOptedOut('sms', '+14155550101')).toBe(false);
        expect(await pg.listWebEvents('sess-1', 0, 10)).toEqual(webHistory);
        expect(await pg.webSessionSecret('another')).toBe('a-secret-for-web-sessions-0123456789');
        expect(await pg.reservePhoneNotice(webId, T0 + 9, 6)).toBe(false);
        expect(await pg.onceForAdvisor('twilio', 'SM-PJ-1', T0 + 7, async () => 'again')).toEqual({
          answer: 'done',
          repeated: true,
        });
        const retry = await createInboundHandler(
          pg,
          settings,
        )({
          channel: 'sms',
          participant: '+14155550101',
          conversationKey: '+14155550101',
          provider: 'twilio',
          externalId: 'A2',
          text: 'we run payroll for restaurants',
          receivedAt: T0 + 8,
        });
        const ann = before.find((each) => each.detail?.participant === '+14155550101')?.detail;
        expect(retry).toMatchObject({
          duplicate: true,
          replies: ann?.transcript
            .filter((t) => t.direction === 'out')
            .slice(-1)
            .map((t) => t.text),
        });
        const fresh = await createInboundHandler(
          pg,
          settings,
        )({
          channel: 'sms',
          participant: '+14155550105',
          conversationKey: '+14155550105',
          provider: 'twilio',
          externalId: 'E1',
          text: 'hi',
          receivedAt: T0 + 9,
        });
        expect(fresh.conversationId).toBeGreaterThan(erased.conversationId);
        expect((await pg.claimOutbox(T0 + 30 * MINUTE, MINUTE, 100)).length).toBeGreaterThan(0);
      } finally {
        await pg.close();
      }

      const again = await dbCopy(['--from', `file:${path}`, '--to', target]);
      expect(again.code).toBe(1);
      expect(again.output).toMatch(/already holds 5 conversations: db:copy only fills an empty one/);
    },
  );

  it('refuses bad arguments and a SQLite table it does not know, copying nothing', { timeout: 60_000 }, async () => {
    expect((await dbCopy(['--from', './x.db', '--to', databaseUrl])).output).toMatch(
      /--from must be the SQLite database/,
    );
    expect((await dbCopy(['--from', 'file:./x.db', '--to', 'mysql://x'])).output).toMatch(
      /--to must be the PostgreSQL DATABASE_URL/,
    );
    const path = tempDatabasePath();
    await createSqliteConversationStore(path).close();
    const raw = new Database(path);
    raw.exec('CREATE TABLE something_new (x INTEGER)');
    raw.close();
    const target = await schemas.fresh();
    const copy = await dbCopy(['--from', `file:${path}`, '--to', target]);
    expect(copy.code).toBe(1);
    expect(copy.output).toMatch(/tables db:copy does not know \(something_new\): nothing copied/);

    const newer = tempDatabasePath();
    await createSqliteConversationStore(newer).close();
    const rawNewer = new Database(newer);
    rawNewer.exec('ALTER TABLE conversations ADD COLUMN mood TEXT');
    rawNewer.close();
    const refused = await dbCopy(['--from', `file:${newer}`, '--to', await schemas.fresh()]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/conversations has columns db:copy does not know \(mood\): nothing copied/);
  });

  it(
    'carries pictures with their downloaded files, texts held for the night and where numbers are',
    { timeout: 60_000 },
    async () => {
      const HOUR = 60 * MINUTE;
      const picture = {
        url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
        contentType: 'image/jpeg',
      };
      const card = {
        url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
        contentType: 'text/vcard',
      };
      const mms = (participant: string, externalId: string, at: number, extra: object) => ({
        channel: 'sms' as const,
        participant,
        conversationKey: participant,
        provider: 'twilio',
        externalId,
        text: '',
        receivedAt: at,
        ...extra,
      });
      const path = tempDatabasePath();
      const sqlite = createSqliteConversationStore(path);
      const ann = await sqlite.receive(
        mms('+15550000001', 'M1', T0, { media: [picture, card], region: 'NY' }),
        fakeDecide({ replies: ['Thanks'] }).decide,
      );
      const [jpeg, vcard] = await sqlite.claimMediaDownloads(T0, MINUTE, 10);
      // A NUL byte too: a file is copied byte for byte, not as text.
      const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 0]);
      await sqlite.storeMediaFile(jpeg?.id ?? 0, { contentType: 'image/jpeg', bytes }, T0 + 1);
      await sqlite.settleMediaDownload(
        vcard?.id ?? 0,
        { state: 'tooLarge', error: 'larger than 5242880 bytes' },
        T0 + 1,
      );
      await sqlite.enqueueOutbox(
        ann.conversationId,
        [{ ...toClient('good morning'), notBefore: T0 + 9 * HOUR }, toClient('later, not held')],
        T0 + 2,
      );
      // Still only a link when the bot stopped: the PostgreSQL side downloads it.
      await sqlite.receive(mms('+15550000002', 'M2', T0 + 3, { media: [picture] }), fakeDecide().decide);
      const before = await everything(sqlite);
      await sqlite.close();
      expect(JSON.stringify(before)).toContain('"region":"NY"');
      expect(JSON.stringify(before)).toContain(`"notBefore":${T0 + 9 * HOUR}`);

      const target = await schemas.fresh();
      const copy = await dbCopy(['--from', `file:${path}`, '--to', target]);
      expect(copy.output).toMatch(/conversations 2, messages 4, message_media 3, processed_inbound 2, outbox 2,/);
      expect(copy.code).toBe(0);

      const pg = createPostgresStore({ url: target, max: 2 });
      try {
        expect(await everything(pg)).toEqual(before);
        const file = await pg.getMediaFile(ann.conversationId, jpeg?.id ?? 0);
        expect(file?.contentType).toBe('image/jpeg');
        expect([...(file?.bytes ?? [])]).toEqual([...bytes]);
        const [linked] = await pg.claimMediaDownloads(T0 + 5, MINUTE, 10);
        expect(linked).toMatchObject({ url: picture.url, attempts: 1 });
        // Still held: the later text goes first, the held one in the client's morning.
        const texts = async (now: number) =>
          (await pg.claimOutbox(now, MINUTE, 10)).map((item) =>
            item.payload.type === 'text' ? item.payload.text : '',
          );
        expect(await texts(T0 + 5)).toEqual(['later, not held']);
        expect(await texts(T0 + 9 * HOUR)).toEqual(['good morning']);
        // Ids go on past the copied ones.
        const next = await pg.receive(mms('+15550000003', 'M3', T0 + 6, { media: [card] }), fakeDecide().decide);
        const [media] = (await pg.get(next.conversationId))?.transcript[0]?.media ?? [];
        expect(media?.id).toBeGreaterThan(linked?.id ?? Infinity);
      } finally {
        await pg.close();
      }
    },
  );
});
