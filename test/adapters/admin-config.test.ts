import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

/** The message parseConfig refuses `env` with. */
function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('parseConfig accepted it');
}

describe('ADMIN_TOKEN', () => {
  it('takes a token of 32 characters or more that is not one character repeated', () => {
    const token = '0123456789abcdef0123456789abcdef';
    expect(parseConfig({ ADMIN_TOKEN: token }).adminToken).toBe(token);
    expect(parseConfig({ ADMIN_TOKEN: `${'a'.repeat(40)}b` }).adminToken).toBe(`${'a'.repeat(40)}b`);
  });

  it.each([
    ['aaaaaaaaaaaaaaaa', /at least 32 characters/],
    ['test-admin-token-0123456789', /at least 32 characters/],
    ['short-but-not-repeated-token-31', /at least 32 characters/],
    ['x'.repeat(32), /not be one character repeated/],
    ['a'.repeat(64), /not be one character repeated/],
    ['\u00e9'.repeat(40), /not be one character repeated/],
  ])('refuses %j, naming the variable and how to make a new one, without repeating it', (token, why) => {
    expect(() => parseConfig({ ADMIN_TOKEN: token })).toThrow(ConfigError);
    expect(() => parseConfig({ ADMIN_TOKEN: token })).toThrow(why);
    expect(() => parseConfig({ ADMIN_TOKEN: token })).toThrow(/ADMIN_TOKEN/);
    expect(() => parseConfig({ ADMIN_TOKEN: token })).toThrow(/make a new one with: openssl rand -hex 32/);
    expect(refusal({ ADMIN_TOKEN: token })).not.toContain(token);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.0.2.7,fd00::/8, ::1, uniquelocal', ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1', 'uniquelocal']],
  ])('reads %j', (value, trust) => {
    expect(parseConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(trust);
  });

  it.each([
    ['true', /true would believe any address/],
    ['TRUE', /true would believe any address/],
    ['11', /number of proxies/],
    ['proxy.internal', /"proxy.internal"/],
    ['10.0.0.0/33', /"10.0.0.0\/33"/],
    ['1.2.3.4,,', /""/],
  ])('refuses %j and says what it takes', (value, why) => {
    expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(why);
  });
});

describe('HSTS on admin responses', () => {
  it('is on when PUBLIC_BASE_URL is https', () => {
    expect(parseConfig({ PUBLIC_BASE_URL: 'https://bot.example.com' }).hsts).toBe(true);
    expect(parseConfig({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).hsts).toBe(false);
    expect(parseConfig({}).hsts).toBe(false);
  });
});
