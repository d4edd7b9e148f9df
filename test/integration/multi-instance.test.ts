import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { npmStart, type StartedBot } from '../support/npm-start.js';
import { createSchemas, describePostgres } from '../support/postgres.js';
import { signTwilio } from '../support/sign-twilio.js';
import { ADMIN_TOKEN, AUTH_TOKEN, BOT_NUMBER, PUBLIC_BASE_URL, messagesOf } from '../support/sms-harness.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

// Issue 10's proof: three `npm start` processes on one PostgreSQL database, no sticky sessions.
// 60 senders each text a whole conversation, every text to a random instance and a quarter of
// them retried on another instance at the same moment; PJ takes over on one instance and replies
// through another; one instance is killed with -9 mid-run and started again. A local Twilio
// stand-in counts what each recipient got, and what the killed instance was sending ends unknown
// (OUTBOX_LEASE_SECONDS=5), never resent.

const SENDERS = 60;
const CONCURRENCY = 15;
const PJ_PHONE = '+18585550199';
const ACCOUNT_SID = `AC${'b2'.repeat(16)}`;
const SCRIPT = [
  'hi',
  'we run payroll for restaurants',
  'their controller',
  'how long does a SOC report take?',
  'can I talk to a person',
];
const TAKEN_OVER = 6;
/** The transcript note of the idle timer handing a conversation back (PJ's phone is not told of hand-backs). */
const HANDED_BACK =
  "SELECT conversation_id, count(*)::int AS n FROM messages WHERE direction = 'event' AND text LIKE '%handed back to the bot%' GROUP BY conversation_id";

const phone = (n: number) => `+1415555${String(1000 + n).padStart(4, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  sid: string;
  status: number;
  body: string;
}

describePostgres('three instances on one PostgreSQL database', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  const bots: Array<StartedBot | null> = [null, null, null];
  let twilio: TwilioStandIn | undefined;
  afterAll(async () => {
    for (const bot of bots) bot?.npm.kill('SIGTERM');
    await Promise.all(bots.map((bot) => bot?.exited));
    await twilio?.close();
    await schemas.dropAll();
  });

  it(
    'stores every text once in order, answers each provider id once, delivers each outbox message once, and fires each deadline once',
    { timeout: 120_000 },
    async () => {
      const started = Date.now();
      const url = await schemas.fresh();
      twilio = await startTwilioStandIn();
      const env = {
        DATABASE_URL: url,
        DATABASE_POOL_MAX: '5',
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        PUBLIC_BASE_URL,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_PHONE_NUMBER: BOT_NUMBER,
        TWILIO_API_URL: twilio.url,
        ADVISOR_NOTIFY_SMS: PJ_PHONE,
        ADMIN_TOKEN,
        // Short enough to fire during the test: 3 s to remind PJ, 6 s of his silence to hand back.
        ADVISOR_REMIND_MINUTES: '0.05',
        ADVISOR_IDLE_MINUTES: '0.1',
        // What the killed instance was sending counts as lost after 5 s instead of a minute.
        OUTBOX_LEASE_SECONDS: '5',
        // On the real clock: the bot's own texts must not wait for the client's morning.
        QUIET_HOURS: 'off',
        LOG_LEVEL: 'info',
      };
      const startedBots = await Promise.all([0, 1, 2].map(() => npmStart(env)));
      startedBots.forEach((bot, i) => (bots[i] = bot));
      const live = () => bots.filter((bot): bot is StartedBot => bot !== null);

      const answers: Answer[] = [];
      const post = async (bot: StartedBot, params: Record<string, string>): Promise<Answer | null> => {
        try {
          const res = await fetch(`${bot.baseUrl}/twilio/sms`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/x-www-form-urlencoded',
              'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
            },
            body: new URLSearchParams(params).toString(),
          });
          const answer = { sid: params.MessageSid ?? '', status: res.status, body: await res.text() };
          answers.push(answer);
          return answer.status === 200 ? answer : null;
        } catch {
          return null; // the instance died mid-request
        }
      };
      /** Twilio's delivery of one text: a random instance, a quarter retried on another at once, retried until one answers. */
      async function deliver(from: string, text: string): Promise<string[]> {
        const params = {
          MessageSid: `SM${randomBytes(16).toString('hex')}`,
          AccountSid: ACCOUNT_SID,
          From: from,
          To: BOT_NUMBER,
          Body: text,
        };
        for (let attempt = 0; attempt < 20; attempt += 1) {
          const pool = live();
          const first = pool[Math.floor(Math.random() * pool.length)];
          if (first === undefined) throw new Error('no instance running');
          const others = pool.filter((bot) => bot !== first);
          const second = Math.random() < 0.25 ? others[Math.floor(Math.random() * others.length)] : undefined;
          const results = await Promise.all([post(first, params), ...(second ? [post(second, params)] : [])]);
          const ok = results.find((result) => result !== null);
          if (ok) return messagesOf(ok.body);
          await sleep(100);
        }
        throw new Error(`no instance took ${text} from ${from}`);
      }

      // The senders, CONCURRENCY at a time; one instance is killed -9 once a third of them are done.
      let next = 0;
      let finished = 0;
      const ids = new Map<string, number>();
      const admin = (bot: StartedBot, path: string, body?: object) =>
        fetch(`${bot.baseUrl}/admin/api${path}`, {
          method: body ? 'POST' : 'GET',
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
          ...(body && { body: JSON.stringify(body) }),
        });
      let killed: Promise<void> | null = null;
      const killAndRestart = async () => {
        const victim = bots[1];
        if (!victim) return;
        process.kill(victim.pid, 'SIGKILL');
        bots[1] = null;
        await victim.exited;
        bots[1] = await npmStart(env);
      };
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < SENDERS) {
            const n = next++;
            for (const text of SCRIPT) await deliver(phone(n), text);
            finished += 1;
            if (finished === SENDERS / 3) killed = killAndRestart();
          }
        }),
      );
      await killed;
      const sendersDone = Date.now();

      // PJ takes over on one instance and replies through another (the conversation ids from the API).
      const [a, b, c] = live();
      if (!a || !b || !c) throw new Error('three instances expected');
      const listed = (await (await admin(a, '/conversations?limit=100')).json()) as {
        conversations: Array<{ id: number; participant: string }>;
      };
      for (const conversation of listed.conversations) ids.set(conversation.participant, conversation.id);
      for (let n = 0; n < TAKEN_OVER; n += 1) {
        const id = ids.get(phone(n));
        const [took, again] = await Promise.all([
          admin(a, `/conversations/${id}/takeover`, {}),
          admin(c, `/conversations/${id}/takeover`, {}),
        ]);
        expect([took.status, again.status]).toEqual([200, 200]);
        expect((await admin(b, `/conversations/${id}/messages`, { text: `PJ here for ${phone(n)}` })).status).toBe(200);
      }

      // Wait for the timers (3 s reminder, 6 s hand-back) and the outbox to settle.
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const count = async (sql: string) => Number((await db.query(sql)).rows[0]?.n);
        for (let waited = 0; waited < 30_000; waited += 250) {
          const pending = await count("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')");
          const released = await count(
            HANDED_BACK.replace('conversation_id, count(*)::int', 'count(*)').replace(' GROUP BY conversation_id', ''),
          );
          const due = await count(
            'SELECT count(*) AS n FROM conversations WHERE remind_at IS NOT NULL OR idle_at IS NOT NULL',
          );
          if (pending === 0 && due === 0 && released >= TAKEN_OVER) break;
          await sleep(250);
        }

        // Every text stored once, in each sender's order, in one conversation per sender.
        const inbound = await db.query(
          `SELECT c.participant, array_agg(m.text ORDER BY m.id) AS texts FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.direction = 'in' GROUP BY c.participant`,
        );
        expect(inbound.rows).toHaveLength(SENDERS);
        for (const row of inbound.rows) expect(row.texts).toEqual(SCRIPT);
        expect(await count('SELECT count(*) AS n FROM processed_inbound')).toBe(SENDERS * SCRIPT.length);

        // One reply per provider id: every answer to a MessageSid is the same TwiML.
        const bySid = new Map<string, Set<string>>();
        for (const answer of answers.filter((each) => each.status === 200))
          bySid.set(answer.sid, (bySid.get(answer.sid) ?? new Set()).add(answer.body));
        expect(bySid.size).toBe(SENDERS * SCRIPT.length);
        expect([...bySid.values()].filter((bodies) => bodies.size > 1)).toEqual([]);
        const retried = answers.filter((each) => each.status === 200).length - bySid.size;
        // A quarter of the 300 deliveries go to a second instance at once: about 75 duplicates answered
        // 200 (standard deviation about 7.5). The bound only shows they happened in number: at SENDERS
        // (60, two deviations down) it would fail about one run in 40, and did on 2026-12-02.
        expect(retried).toBeGreaterThan(SENDERS / 2);

        // Each outbox message delivered once: no recipient got the same text twice, and every row
        // marked sent was delivered exactly once. (Rows a killed instance was sending stay unknown.)
        const deliveredTwice = new Map<string, number>();
        for (const d of twilio.deliveries)
          deliveredTwice.set(`${d.to}\n${d.body}`, (deliveredTwice.get(`${d.to}\n${d.body}`) ?? 0) + 1);
        expect([...deliveredTwice.entries()].filter(([, times]) => times > 1)).toEqual([]);
        const sent = await db.query("SELECT provider_id FROM outbox WHERE status = 'sent'");
        const deliveredSids = new Set(twilio.deliveries.map((d) => d.sid));
        expect(sent.rows.filter((row) => !deliveredSids.has(row.provider_id))).toEqual([]);
        const statuses = await db.query(
          'SELECT status, count(*)::int AS n FROM outbox GROUP BY status ORDER BY status',
        );
        expect(statuses.rows.filter((row) => row.status !== 'sent' && row.status !== 'unknown')).toEqual([]);
        // What the killed instance was sending became unknown once its lease ended, never resent, and PJ was told.
        const untold = await db.query(
          `SELECT lost.id FROM outbox lost WHERE lost.status = 'unknown' AND lost.payload->'notice'->>'kind' IS DISTINCT FROM 'noticeLost'
           AND NOT EXISTS (SELECT 1 FROM outbox told WHERE told.conversation_id = lost.conversation_id AND told.id > lost.id
             AND told.payload->'notice'->>'kind' IN ('deliveryProblem', 'noticeLost'))`,
        );
        expect(untold.rows).toEqual([]);

        // Each deadline fired once: one reminder per conversation left waiting, one hand-back per takeover.
        const reminders = await db.query(
          "SELECT conversation_id, count(*)::int AS n FROM outbox WHERE payload->'notice'->>'kind' = 'reminder' GROUP BY conversation_id",
        );
        expect(reminders.rows.filter((row) => row.n !== 1)).toEqual([]);
        expect(reminders.rows.length).toBeGreaterThanOrEqual(SENDERS - TAKEN_OVER);
        const handBacks = await db.query(HANDED_BACK);
        expect(handBacks.rows.map((row) => row.n)).toEqual(Array(TAKEN_OVER).fill(1));
        // PJ's replies reached each client once, through whichever instance sent them.
        for (let n = 0; n < TAKEN_OVER; n += 1) {
          expect(
            twilio.deliveries.filter((d) => d.to === phone(n) && d.body === `PJ here for ${phone(n)}`),
          ).toHaveLength(1);
        }
        console.info(
          `multi-instance: ${SENDERS} senders, ${answers.length} webhook calls (${retried} duplicate answers) in ${sendersDone - started} ms ` +
            `(with start-up and one kill -9), ${twilio.deliveries.length} deliveries, outbox ${JSON.stringify(statuses.rows)}, total ${Date.now() - started} ms`,
        );
      } finally {
        await db.end();
      }
    },
  );
});
