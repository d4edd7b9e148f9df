import { describe, expect, it } from 'vitest';
import { ConfigError, MEDIA_MAX_BYTES, parseConfig } from '../../src/config.js';

const ACCOUNT = `AC${'f6'.repeat(16)}`;
const twilio = {
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_AUTH_TOKEN: 'auth-token',
  PUBLIC_BASE_URL: 'https://bot.example.test',
};

describe('TWILIO_FETCH_MEDIA', () => {
  it('keeps only links by default, and downloads with the account credentials when true', () => {
    expect(parseConfig(twilio).fetchMedia).toBeNull();
    expect(parseConfig({ ...twilio, TWILIO_FETCH_MEDIA: 'false' }).fetchMedia).toBeNull();
    expect(parseConfig({ ...twilio, TWILIO_FETCH_MEDIA: 'true' }).fetchMedia).toEqual({
      accountSid: ACCOUNT,
      authToken: 'auth-token',
      maxBytes: MEDIA_MAX_BYTES,
    });
    expect(MEDIA_MAX_BYTES).toBe(5 * 1024 * 1024);
  });

  it('downloads into PostgreSQL as into SQLite', () => {
    const env = { ...twilio, TWILIO_FETCH_MEDIA: 'true', DATABASE_URL: 'postgres://bot@db/bot' };
    expect(parseConfig(env).database.kind).toBe('postgres');
    expect(parseConfig(env).fetchMedia).toMatchObject({ accountSid: ACCOUNT, maxBytes: MEDIA_MAX_BYTES });
  });

  it.each([
    ['a value other than true or false', { TWILIO_FETCH_MEDIA: 'yes please' }, /at TWILIO_FETCH_MEDIA/],
    [
      'true without the account credentials',
      { TWILIO_FETCH_MEDIA: 'true' },
      /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN[\s\S]*at TWILIO_FETCH_MEDIA/,
    ],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe('QUIET_HOURS', () => {
  it('is 8-21 by default, takes other whole hours, and off', () => {
    expect(parseConfig({}).quietHours).toEqual({ start: 8, end: 21 });
    expect(parseConfig({ QUIET_HOURS: '9-20' }).quietHours).toEqual({ start: 9, end: 20 });
    expect(parseConfig({ QUIET_HOURS: ' 7 - 22 ' }).quietHours).toEqual({ start: 7, end: 22 });
    expect(parseConfig({ QUIET_HOURS: 'OFF' }).quietHours).toBeNull();
  });

  it.each(['21-8', '8', '8-25', '8:30-21', 'nights', '8-8'])(
    'refuses %s, naming the variable and the form',
    (value) => {
      expect(() => parseConfig({ QUIET_HOURS: value })).toThrow(/START-END in whole hours[\s\S]*at QUIET_HOURS/);
    },
  );
});
