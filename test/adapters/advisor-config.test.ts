import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

const desk = { SLACK_HANDOFF_CHANNEL: 'C0DESK', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

describe('SLACK_ADVISOR_USER_IDS', () => {
  it('reads bare ids as users of the app’s own workspace and TEAM:USER as a user of another', () => {
    const config = parseConfig({ ...desk, SLACK_ADVISOR_USER_IDS: ' U0PJ , T0GUEST:U0GUEST,W0GRID,E0ORG:W0ORG,' });
    expect(config.advisorAccess.slackUsers).toEqual([
      { team: null, user: 'U0PJ' },
      { team: 'T0GUEST', user: 'U0GUEST' },
      { team: null, user: 'W0GRID' },
      { team: 'E0ORG', user: 'W0ORG' },
    ]);
  });

  it('is empty, and not needed, without the handoff channel', () => {
    expect(parseConfig({}).advisorAccess.slackUsers).toEqual([]);
  });

  it.each([undefined, '', ' , '])(
    'stops start-up, naming it, when the handoff channel is set and it is %j',
    (value) => {
      const env = { ...desk, ...(value !== undefined && { SLACK_ADVISOR_USER_IDS: value }) };
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(
        /required when SLACK_HANDOFF_CHANNEL is set[\s\S]*at SLACK_ADVISOR_USER_IDS/,
      );
    },
  );

  it.each(['pj', '@pj', 'u0pj', 'C0DESK', 'T0GUEST:', 'T0GUEST:C0DESK', 'U0PJ:T0GUEST', 'T0:U0:U1'])(
    'refuses %j, naming it',
    (entry) => {
      const env = { ...desk, SLACK_ADVISOR_USER_IDS: `U0PJ,${entry}` };
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(/is not a Slack member id[\s\S]*at SLACK_ADVISOR_USER_IDS/);
    },
  );
});

describe('ADVISOR_COMMAND_PIN', () => {
  const phone = {
    TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'secret',
    TWILIO_PHONE_NUMBER: '+15005550006',
    PUBLIC_BASE_URL: 'https://bot.example.com',
    ADVISOR_NOTIFY_SMS: '+18585550199',
  };

  it.each(['5831', '583190274615', '0042'])('reads %j', (pin) => {
    expect(parseConfig({ ...phone, ADVISOR_COMMAND_PIN: pin }).advisorAccess.commandPin).toBe(pin);
  });

  it('is off when unset or empty', () => {
    expect(parseConfig(phone).advisorAccess.commandPin).toBeNull();
    expect(parseConfig({ ...phone, ADVISOR_COMMAND_PIN: '' }).advisorAccess.commandPin).toBeNull();
  });

  it.each(['583', '5831902746150', '58a1', '58 31', '+5831', '0000', '999999'])('refuses %j, naming it', (pin) => {
    expect(() => parseConfig({ ...phone, ADVISOR_COMMAND_PIN: pin })).toThrow(/at ADVISOR_COMMAND_PIN/);
  });

  it('needs ADVISOR_NOTIFY_SMS, the only number commands come from', () => {
    expect(() => parseConfig({ ...phone, ADVISOR_NOTIFY_SMS: '', ADVISOR_COMMAND_PIN: '5831' })).toThrow(
      /ADVISOR_NOTIFY_SMS[\s\S]*at ADVISOR_COMMAND_PIN/,
    );
  });
});
