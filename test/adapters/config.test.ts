import { describe, expect, it } from 'vitest';
import { composeBot } from '../../src/compose.js';
import { ConfigError, describeStoreChoice, parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('runs on defaults with no variables at all', () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      database: { kind: 'sqlite', path: './data/soc-advisor.db' },
      sms: null,
      botAnswersKeywords: false,
      decideThread: true,
      fetchMedia: null,
      twilioRest: null,
      handoff: { notifySms: null, deskChannel: null, idleMs: 240 * 60_000, remindMs: 30 * 60_000 },
      advisorAccess: { slackUsers: [], commandPin: null },
      slack: null,
      advisor: { name: 'PJ', phone: '+18584618054' },
      advisorLanguages: ['en'],
      adminToken: null,
      metricsToken: null,
      trustProxy: false,
      hsts: false,
      retentionDays: 365,
      timeZone: expect.any(String),
      digest: null,
      quietHours: { start: 8, end: 21 },
      outboxLeaseMs: 60_000,
      web: { origins: [], sessionSecret: null, phoneNoticesPerHour: 6 },
      logLevel: 'info',
    });
  });

  it('reads ADVISOR_LANGUAGES as a list of the languages the bot speaks, English by default', () => {
    expect(parseConfig({}).advisorLanguages).toEqual(['en']);
    expect(parseConfig({ ADVISOR_LANGUAGES: 'en, ES,en' }).advisorLanguages).toEqual(['en', 'es']);
    expect(() => parseConfig({ ADVISOR_LANGUAGES: 'en,fr' })).toThrow(/en, es[\s\S]*ADVISOR_LANGUAGES/);
    expect(() => parseConfig({ ADVISOR_LANGUAGES: ' , ' })).toThrow(/ADVISOR_LANGUAGES/);
  });

  it('reads OUTBOX_LEASE_SECONDS as whole seconds, at least 5', () => {
    expect(parseConfig({ OUTBOX_LEASE_SECONDS: '8' }).outboxLeaseMs).toBe(8000);
    for (const bad of ['4', '1.5', 'soon'])
      expect(() => parseConfig({ OUTBOX_LEASE_SECONDS: bad })).toThrow(/OUTBOX_LEASE_SECONDS/);
  });

  it('reads RETENTION_DAYS as whole days', () => {
    expect(parseConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    expect(parseConfig({ RETENTION_DAYS: '' }).retentionDays).toBe(365);
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
    });
    expect(config.botAnswersKeywords).toBe(true);
    expect(config.adminToken).toBeNull();
    expect(parseConfig({ DECIDE_THREAD: 'on' }).decideThread).toBe(true);
    expect(parseConfig({ DECIDE_THREAD: 'off' }).decideThread).toBe(false);
    expect(config.database).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
  });

  it('reads the handoff settings and the Twilio REST sender', () => {
    const config = parseConfig({
      TWILIO_ACCOUNT_SID: `AC${'b'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_PHONE_NUMBER: '+15005550006',
      PUBLIC_BASE_URL: 'https://bot.example.com',
      TWILIO_API_URL: 'http://127.0.0.1:9999/',
      ADVISOR_NOTIFY_SMS: '+18585550199',
      ADVISOR_IDLE_MINUTES: '60',
      ADVISOR_REMIND_MINUTES: '5',
    });
    expect(config.twilioRest).toEqual({
      accountSid: `AC${'b'.repeat(32)}`,
      authToken: 'secret',
      from: '+15005550006',
      apiUrl: 'http://127.0.0.1:9999',
      statusCallback: 'https://bot.example.com/twilio/status',
    });
    expect(config.handoff).toEqual({
      notifySms: '+18585550199',
      deskChannel: null,
      idleMs: 3_600_000,
      remindMs: 300_000,
    });
  });

  it('turns Slack on over HTTP with a signing secret, or in Socket Mode with an app token', () => {
    expect(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }).slack).toBeNull();
    expect(parseConfig({ SLACK_SIGNING_SECRET: 's' }).slack).toBeNull();
    expect(
      parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api' })
        .slack,
    ).toEqual({
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
    ['PORT', { PORT: 'eighty' }],
    ['SMS_KEYWORD_REPLIES', { SMS_KEYWORD_REPLIES: 'carrier' }],
    ['DECIDE_THREAD', { DECIDE_THREAD: 'yes' }],
    ['ADVISOR_PHONE', { ADVISOR_PHONE: '858-461-8054' }],
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
    ['ADVISOR_NOTIFY_SMS', { ADVISOR_NOTIFY_SMS: '+18585550199' }],
    ['ADVISOR_IDLE_MINUTES', { ADVISOR_IDLE_MINUTES: '0' }],
    ['ADVISOR_REMIND_MINUTES', { ADVISOR_REMIND_MINUTES: 'soon' }],
    ['TWILIO_API_URL', { TWILIO_API_URL: 'twilio' }],
    ['SLACK_HANDOFF_CHANNEL', { SLACK_HANDOFF_CHANNEL: '#handoff', SLACK_BOT_TOKEN: 'xoxb-1' }],
    ['SLACK_BOT_TOKEN', { SLACK_HANDOFF_CHANNEL: 'C0123' }],
    ['RETENTION_DAYS', { RETENTION_DAYS: 'a year' }],
    ['RETENTION_DAYS', { RETENTION_DAYS: '0' }],
    ['RETENTION_DAYS', { RETENTION_DAYS: '1.5' }],
  ])('names %s when its value is wrong', (name, env) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(new RegExp(name));
  });
});

describe('DATABASE_URL', () => {
  it.each([
    ['file:./data/soc-advisor.db', { kind: 'sqlite', path: './data/soc-advisor.db' }],
    ['file:/var/lib/soc/bot.db', { kind: 'sqlite', path: '/var/lib/soc/bot.db' }],
    ['file::memory:', { kind: 'sqlite', path: ':memory:' }],
    [
      'postgres://bot:secret@db.internal:5432/soc',
      { kind: 'postgres', url: 'postgres://bot:secret@db.internal:5432/soc', poolMax: 10 },
    ],
    ['postgresql://127.0.0.1/test', { kind: 'postgres', url: 'postgresql://127.0.0.1/test', poolMax: 10 }],
  ])('reads %s as a store choice', (url, choice) => {
    expect(parseConfig({ DATABASE_URL: url }).database).toEqual(choice);
  });

  it('defaults to the SQLite file in ./data, also when set but empty', () => {
    expect(parseConfig({}).database).toEqual({ kind: 'sqlite', path: './data/soc-advisor.db' });
    expect(parseConfig({ DATABASE_URL: ' ' }).database).toEqual({ kind: 'sqlite', path: './data/soc-advisor.db' });
  });

  it.each(['mysql://db/soc', 'sqlite:./x.db', './data/soc-advisor.db', 'file:', 'postgres:/db', 'POSTGRES://db/soc'])(
    'refuses %s, naming the variable and the forms it accepts',
    (url) => {
      expect(() => parseConfig({ DATABASE_URL: url })).toThrow(ConfigError);
      expect(() => parseConfig({ DATABASE_URL: url })).toThrow(/at DATABASE_URL/);
      expect(() => parseConfig({ DATABASE_URL: url })).toThrow(
        /must be file:PATH \(SQLite\).*postgres:\/\/.*postgresql:\/\//,
      );
    },
  );

  it('sizes the PostgreSQL pool with DATABASE_POOL_MAX (10 by default), and refuses a size that is not a count', () => {
    const url = 'postgres://bot@db/soc';
    expect(parseConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: '3' }).database).toEqual({
      kind: 'postgres',
      url,
      poolMax: 3,
    });
    expect(parseConfig({ DATABASE_URL: 'file:./x.db', DATABASE_POOL_MAX: '3' }).database).toEqual({
      kind: 'sqlite',
      path: './x.db',
    });
    for (const bad of ['0', 'ten', '2.5'])
      expect(() => parseConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: bad })).toThrow(/DATABASE_POOL_MAX/);
  });

  it('opens the PostgreSQL store for postgres://, without waiting for the server', async () => {
    const { store } = composeBot(parseConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }));
    await expect(store.ping()).rejects.toThrow(/PostgreSQL is unreachable/);
    await store.close();
  });

  it('describes the store for the log without a PostgreSQL password', () => {
    expect(describeStoreChoice({ kind: 'sqlite', path: './data/soc-advisor.db' })).toBe('./data/soc-advisor.db');
    expect(describeStoreChoice({ kind: 'postgres', url: 'postgres://bot:secret@db/soc', poolMax: 10 })).toBe(
      'PostgreSQL',
    );
  });
});
