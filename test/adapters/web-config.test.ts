import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

describe('the web chat configuration', () => {
  it("defaults to the bot's own pages only, a secret kept in the database and 6 phone notices an hour", () => {
    expect(parseConfig({}).web).toEqual({ origins: [], sessionSecret: null, phoneNoticesPerHour: 6 });
  });

  it('reads WEB_CHAT_ORIGINS as origins, WEB_SESSION_SECRET and WEB_PHONE_NOTICES_PER_HOUR', () => {
    const config = parseConfig({
      WEB_CHAT_ORIGINS: ' https://pj.example.com, http://localhost:8080/ ,',
      WEB_SESSION_SECRET: 's'.repeat(32),
      WEB_PHONE_NOTICES_PER_HOUR: '0',
    });
    expect(config.web).toEqual({
      origins: ['https://pj.example.com', 'http://localhost:8080'],
      sessionSecret: 's'.repeat(32),
      phoneNoticesPerHour: 0,
    });
  });

  it('names the variable and the entry when a value is wrong', () => {
    expect(() => parseConfig({ WEB_CHAT_ORIGINS: 'https://pj.example.com/blog' })).toThrow(
      /"https:\/\/pj.example.com\/blog" is not an origin[\s\S]*WEB_CHAT_ORIGINS/,
    );
    expect(() => parseConfig({ WEB_CHAT_ORIGINS: 'pj.example.com' })).toThrow(/WEB_CHAT_ORIGINS/);
    expect(() => parseConfig({ WEB_SESSION_SECRET: 'short' })).toThrow(/at least 32[\s\S]*WEB_SESSION_SECRET/);
    expect(() => parseConfig({ WEB_PHONE_NOTICES_PER_HOUR: 'many' })).toThrow(/WEB_PHONE_NOTICES_PER_HOUR/);
  });
});
