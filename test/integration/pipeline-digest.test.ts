import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.js';
import { tempDatabasePath } from '../support/sms-harness.js';
import { ACCOUNT_SID, BOT_FROM, twilioStandIn, type TwilioStandIn } from '../support/twilio-rest.js';

// PJ's daily digest (issue 13): from ADVISOR_DIGEST_HOUR in his zone, yesterday's new
// conversations, verdicts and who still waits for him, through the outbox, once a day: not twice
// after a restart, and not twice from two instances on one database.

const PJ_PHONE = '+18584618054';
/** Epoch ms of a wall-clock time in Los Angeles in January 2026 (PST, UTC-8). */
const la = (day: number, hour: number, minute = 0): number => Date.UTC(2026, 0, day, hour + 8, minute);

describe('the daily digest', () => {
  let twilio: TwilioStandIn;
  let path: string;
  const running: PipelineHarness[] = [];
  const env = () => ({
    DATABASE_PATH: path,
    ADVISOR_DIGEST: 'sms',
    ADVISOR_DIGEST_HOUR: '8',
    ADVISOR_NOTIFY_SMS: PJ_PHONE,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_PHONE_NUMBER: BOT_FROM,
  });
  const start = async (at: number) => {
    const h = await startPipelineHarness(env(), at);
    running.push(h);
    return h;
  };
  const digests = () =>
    twilio.received.filter((form) => form.To === PJ_PHONE && /new conversations/.test(form.Body ?? ''));

  beforeEach(() => {
    path = tempDatabasePath();
    twilio = twilioStandIn();
    twilio.answer(undefined, { times: 20 });
  });
  afterEach(async () => {
    for (const h of running.splice(0)) await h.close();
  });

  it("texts PJ yesterday's digest once from its hour, and not again after a restart", async () => {
    const first = await start(la(5, 9));
    await first.text('+14155550101', 'we are a SaaS for dentists and their IT team is asking');
    first.clock.now = la(5, 10);
    await first.text('+14155550104', 'can I talk to a real person?');
    const [waiting] = (await first.composed.store.list({ status: 'waiting' })).map((c) => c.id);

    first.clock.now = la(6, 7, 59);
    await first.composed.background.runOnce();
    expect(digests()).toEqual([]);

    first.clock.now = la(6, 8);
    await first.composed.background.runOnce();
    await first.composed.background.runOnce();
    expect(digests().map((form) => form.Body)).toEqual([
      `2026-01-05: 2 new conversations, verdicts 0 SOC 1, 1 SOC 2, 0 both; 1 flagged for you. Waiting for you (1): #${waiting} +1415***0104 (human)`,
    ]);
    await first.close();
    running.splice(0);

    const second = await start(la(6, 9));
    await second.composed.background.runOnce();
    expect(digests()).toHaveLength(1);
  });

  it('sends one digest when two instances on one database reach the hour together', async () => {
    const [a, b] = [await start(la(7, 8, 30)), await start(la(7, 8, 30))];
    await Promise.all([a.composed.background.runOnce(), b.composed.background.runOnce()]);
    await Promise.all([a.composed.background.runOnce(), b.composed.background.runOnce()]);
    expect(digests().map((form) => form.Body)).toEqual([
      '2026-01-06: 0 new conversations, verdicts 0 SOC 1, 0 SOC 2, 0 both; 0 flagged for you. Nobody is waiting for you.',
    ]);
  });
});
