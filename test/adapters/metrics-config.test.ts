import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

describe('METRICS_TOKEN', () => {
  it('is off unless set, and takes a token of 32 characters or more', () => {
    expect(parseConfig({}).metricsToken).toBeNull();
    expect(parseConfig({ METRICS_TOKEN: '' }).metricsToken).toBeNull();
    expect(parseConfig({ METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
  });

  it.each([
    ['short-metrics-token-0123456789', /at least 32 characters/],
    ['m'.repeat(40), /not be one character repeated/],
  ])('refuses %j as ADMIN_TOKEN would, naming the variable, without repeating it', (token, why) => {
    let message = '';
    try {
      parseConfig({ METRICS_TOKEN: token });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(why);
    expect(message).toMatch(/METRICS_TOKEN/);
    expect(message).toMatch(/openssl rand -hex 32/);
    expect(message).not.toContain(token);
  });

  it('refuses the ADMIN_TOKEN: whatever scrapes the metrics must not open the admin API', () => {
    const both = () => parseConfig({ ADMIN_TOKEN: TOKEN, METRICS_TOKEN: TOKEN });
    expect(both).toThrow(/must differ from ADMIN_TOKEN/);
    expect(both).toThrow(/at METRICS_TOKEN/);
    expect(parseConfig({ ADMIN_TOKEN: `${TOKEN}0`, METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
  });
});
