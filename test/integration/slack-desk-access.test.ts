import { afterEach, describe, expect, it } from 'vitest';
import { DESK_ACTION } from '../../src/adapters/slack/slack-desk.js';
import { copy, flow } from '../support/copy.js';
import { replyTo } from '../support/sms-harness.js';
import { buttonClick, buttonsOf, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

const DESK = 'C0DESK';
const PJ = 'U0PJ';
const COLLEAGUE = 'U0COLLEAGUE';
const CLIENT = '+14155550101';

describe('the Slack desk as compose builds it from SLACK_ADVISOR_USER_IDS', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('lets only the listed user take over', async () => {
    h = await startSlackHarness({ SLACK_HANDOFF_CHANNEL: DESK, SLACK_ADVISOR_USER_IDS: PJ });
    const harness = h;
    await replyTo(harness, CLIENT, 'can I talk to a real person?');
    await harness.composed.background.runOnce();
    const [header] = await harness.waitFor('chat.postMessage');
    const id = (await harness.composed.store.list({ participant: CLIENT }))[0]?.id ?? 0;
    const ts = (await harness.composed.store.getDeskThread(id))?.ts ?? '';
    const button = buttonsOf(header?.body.blocks).find((b) => b.action_id === DESK_ACTION.takeOver);
    const click = (user: string) =>
      harness.action(
        buttonClick(
          user,
          DESK,
          { ts, blocks: header?.body.blocks },
          { action_id: DESK_ACTION.takeOver, value: String(id), text: button?.text.text ?? '' },
        ),
      );

    expect((await click(COLLEAGUE)).status).toBe(200);
    const [whisper] = await harness.waitFor('chat.postEphemeral');
    expect(whisper?.body).toMatchObject({ channel: DESK, user: COLLEAGUE, text: copy(flow.desk.onlyAdvisor) });
    expect((await harness.composed.store.get(id))?.status).toBe('waiting');

    await click(PJ);
    for (let i = 0; i < 100 && (await harness.composed.store.get(id))?.status !== 'human'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await harness.composed.store.get(id))?.status).toBe('human');
  });
});
