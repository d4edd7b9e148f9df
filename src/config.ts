import { z } from 'zod';

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +18584618054');
// NOTE: a line like `TWILIO_AUTH_TOKEN=` in .env means "not set", not "set to the empty string".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const EnvSchema = z
  .object({
    PORT: optional(z.coerce.number().int().min(0).max(65535)).transform((v) => v ?? 3000),
    PUBLIC_BASE_URL: optional(z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''))),
    DATABASE_URL: optional(
      z.string().regex(/^file:.+/, 'must be file:PATH (SQLite), e.g. file:./data/soc-advisor.db'),
    ).transform((v) => v ?? 'file:./data/soc-advisor.db'),
    TWILIO_ACCOUNT_SID: optional(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits')),
    TWILIO_AUTH_TOKEN: optional(z.string().min(1)),
    TWILIO_PHONE_NUMBER: optional(E164),
    SMS_KEYWORD_REPLIES: optional(z.enum(['twilio', 'bot'])).transform((v) => v ?? 'twilio'),
    ADVISOR_NAME: optional(z.string().regex(/^[A-Za-z0-9 .'-]{1,40}$/, 'use up to 40 plain letters (it goes into SMS texts)')).transform(
      (v) => v ?? 'PJ',
    ),
    ADVISOR_PHONE: optional(E164).transform((v) => v ?? '+18584618054'),
    ADMIN_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
    SLACK_SIGNING_SECRET: optional(z.string().min(1)),
    SLACK_BOT_TOKEN: optional(z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-...)')),
    SLACK_APP_TOKEN: optional(z.string().regex(/^xapp-/, 'must be an app-level token (xapp-...) with connections:write')),
    SLACK_API_URL: optional(z.url({ protocol: /^https?$/ })),
    LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).transform(
      (v) => v ?? 'info',
    ),
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_APP_TOKEN !== undefined && env.SLACK_BOT_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when SLACK_APP_TOKEN is set' });
    }
    if (env.TWILIO_AUTH_TOKEN !== undefined && env.PUBLIC_BASE_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_BASE_URL'],
        message: 'is required when TWILIO_AUTH_TOKEN is set: Twilio signs the public URL of the webhook',
      });
    }
  });

export interface Config {
  port: number;
  databasePath: string;
  sms: { authToken: string; publicBaseUrl: string; accountSid?: string; phoneNumber?: string } | null;
  botAnswersKeywords: boolean;
  /** On with a bot token and either a signing secret (HTTP) or an app token (Socket Mode). */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string } | null;
  advisor: { name: string; phone: string };
  adminToken: string | null;
  logLevel: string;
}

export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

/** Parses the environment once, at start-up. Throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    port: e.PORT,
    databasePath: e.DATABASE_URL.slice('file:'.length),
    sms:
      e.TWILIO_AUTH_TOKEN !== undefined && e.PUBLIC_BASE_URL !== undefined
        ? {
            authToken: e.TWILIO_AUTH_TOKEN,
            publicBaseUrl: e.PUBLIC_BASE_URL,
            ...(e.TWILIO_ACCOUNT_SID !== undefined && { accountSid: e.TWILIO_ACCOUNT_SID }),
            ...(e.TWILIO_PHONE_NUMBER !== undefined && { phoneNumber: e.TWILIO_PHONE_NUMBER }),
          }
        : null,
    botAnswersKeywords: e.SMS_KEYWORD_REPLIES === 'bot',
    slack:
      e.SLACK_BOT_TOKEN !== undefined && (e.SLACK_SIGNING_SECRET !== undefined || e.SLACK_APP_TOKEN !== undefined)
        ? {
            botToken: e.SLACK_BOT_TOKEN,
            ...(e.SLACK_SIGNING_SECRET !== undefined && { signingSecret: e.SLACK_SIGNING_SECRET }),
            ...(e.SLACK_APP_TOKEN !== undefined && { appToken: e.SLACK_APP_TOKEN }),
            ...(e.SLACK_API_URL !== undefined && { apiUrl: e.SLACK_API_URL }),
          }
        : null,
    advisor: { name: e.ADVISOR_NAME, phone: e.ADVISOR_PHONE },
    adminToken: e.ADMIN_TOKEN ?? null,
    logLevel: e.LOG_LEVEL,
  };
}
