import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

describe("the pipeline's configuration", () => {
  const slack = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    SLACK_HANDOFF_CHANNEL: 'C0HANDOFF',
    SLACK_ADVISOR_USER_IDS: 'U0PJ',
  };

  it("reads PJ's zone and the digest, off by default at 8", () => {
    expect(parseConfig({ TZ: 'America/Los_Angeles' }).timeZone).toBe('America/Los_Angeles');
    expect(parseConfig({}).digest).toBeNull();
    expect(parseConfig({ ...slack, ADVISOR_DIGEST: 'slack', ADVISOR_DIGEST_HOUR: '7' }).digest).toEqual({
      via: 'slack',
      to: 'C0HANDOFF',
      hour: 7,
    });
  });

  it('refuses a zone, an hour or a digest it cannot use, naming the variable', () => {
    expect(() => parseConfig({ TZ: 'Mars/Olympus' })).toThrow(/TZ/);
    expect(() => parseConfig({ ...slack, ADVISOR_DIGEST: 'slack', ADVISOR_DIGEST_HOUR: '24' })).toThrow(
      /ADVISOR_DIGEST_HOUR/,
    );
    expect(() => parseConfig({ ADVISOR_DIGEST: 'sms' })).toThrow(/ADVISOR_NOTIFY_SMS/);
    expect(() => parseConfig({ ADVISOR_DIGEST: 'slack' })).toThrow(/SLACK_HANDOFF_CHANNEL/);
    expect(() => parseConfig({ ADVISOR_DIGEST: 'email' })).toThrow(/ADVISOR_DIGEST/);
  });
});
