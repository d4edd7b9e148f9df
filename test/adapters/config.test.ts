import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('runs on defaults with no variables at all', () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      databasePath: './data/soc-advisor.db',
      sms: null,
      botAnswersKeywords: false,
      slack: null,
      advisor: { name: 'PJ', phone: '+18584618054' },
      adminToken: null,
      logLevel: 'info',
    });
  });

  it('turns SMS on with an auth token and a public URL, and treats empty values as unset', () => {
    const config = parseConfig({
      TWILIO_AUTH_TOKEN: 'secret',
      PUBLIC_BASE_URL: 'https://bot.example.com/',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_PHONE_NUMBER: '+15005550006',
      SMS_KEYWORD_REPLIES: 'bot',
      ADMIN_TOKEN: '',
      DATABASE_URL: 'file:/tmp/x.db',
    });
    expect(config.sms).toEqual({
      authToken: 'secret',
      publicBaseUrl: 'https://bot.example.com',
      accountSid: `AC${'a'.repeat(32)}`,
      phoneNumber: '+15005550006',
    });
    expect(config.botAnswersKeywords).toBe(true);
    expect(config.adminToken).toBeNull();
    expect(config.databasePath).toBe('/tmp/x.db');
  });

  it('turns Slack on over HTTP with a signing secret, or in Socket Mode with an app token', () => {
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toBeNull();
    expect(parseConfig({ SLACK_SIGNING_SECRET: 's' }).slack).toBeNull();
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' }).slack).toEqual({
      botToken: 'xoxb-1',
      signingSecret: 's',
      apiUrl: 'http://127.0.0.1:9/api',
    });
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack).toEqual({
      botToken: 'xoxb-1',
      appToken: 'xapp-1',
    });
  });

  it.each([
    ['PORT', { PORT: '70000' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'not a url' }],
    ['PUBLIC_BASE_URL', { TWILIO_AUTH_TOKEN: 'secret' }],
    ['TWILIO_ACCOUNT_SID', { TWILIO_ACCOUNT_SID: 'sid' }],
    ['TWILIO_PHONE_NUMBER', { TWILIO_PHONE_NUMBER: '5005550006' }],
    ['ADVISOR_NAME', { ADVISOR_NAME: 'P\u2019J' }],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'xoxp-user-token' }],
    ['SLACK_BOT_TOKEN', { SLACK_APP_TOKEN: 'xapp-1' }],
    ['SLACK_APP_TOKEN', { SLACK_APP_TOKEN: 'xoxb-1', SLACK_BOT_TOKEN: 'xoxb-1' }],
    ['SLACK_API_URL', { SLACK_API_URL: 'slack' }],
  ])('names %s when its value is wrong', (name, env) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(new RegExp(name));
  });
});
