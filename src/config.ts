import { z } from 'zod';

/** Whether the runtime knows the IANA time zone `name`. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +18584618054');
// NOTE: a line like `TWILIO_AUTH_TOKEN=` in .env means "not set", not "set to the empty string".
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** Which store DATABASE_URL selects: the one place its forms are read. */
export type StoreChoice =
  /** `file:PATH`: a SQLite database file (`file::memory:` for one in memory). */
  | { kind: 'sqlite'; path: string }
  /** `postgres://...` or `postgresql://...`: PostgreSQL, shared by any number of instances; a pool of `poolMax`. */
  | { kind: 'postgres'; url: string; poolMax: number };

const DEFAULT_DATABASE_URL = 'file:./data/soc-advisor.db';
const DATABASE_FORMS =
  'file:PATH (SQLite), e.g. file:./data/soc-advisor.db, or postgres://... / postgresql://... (PostgreSQL)';

/** WEB_CHAT_ORIGINS: comma-separated origins (scheme, host and optional port), each checked. */
function parseOrigins(list: string, ctx: z.RefinementCtx): string[] {
  const origins: string[] = [];
  for (const entry of list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      // reported below
    }
    if (url === null || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an origin: write scheme, host and port only, like https://pj.example.com`,
      });
      continue;
    }
    origins.push(url.origin);
  }
  return origins;
}

function parseDatabaseUrl(url: string, ctx: z.RefinementCtx): StoreChoice {
  if (/^file:./.test(url)) return { kind: 'sqlite', path: url.slice('file:'.length) };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url, poolMax: 10 };
  ctx.addIssue({ code: 'custom', message: `must be ${DATABASE_FORMS}` });
  return z.NEVER;
}

/** How to make an ADMIN_TOKEN that passes: start-up says it when one does not. */
const NEW_ADMIN_TOKEN = 'make a new one with: openssl rand -hex 32';

/** ADMIN_TOKEN and METRICS_TOKEN: a bearer token long enough not to be guessed. */
const BEARER_TOKEN = z
  .string()
  .min(32, `must be at least 32 characters; ${NEW_ADMIN_TOKEN}`)
  .refine((token) => !/^(.)\1*$/su.test(token), `must not be one character repeated; ${NEW_ADMIN_TOKEN}`);

/**
 * Which proxies' X-Forwarded-For names the client, for the admin API's per-address limit (as
 * Express's `trust proxy`): false (unset, "false" or 0: the connection's own address), the number
 * of proxies in front of the bot, or their addresses and subnets (and loopback, linklocal,
 * uniquelocal). `true` is refused: it would believe whatever address a client writes there.
 */
type TrustProxy = false | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const ProxyAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

function parseTrustProxy(value: string | undefined, ctx: z.RefinementCtx): TrustProxy {
  const v = value?.trim() ?? '';
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops <= 10) return hops;
    ctx.addIssue({
      code: 'custom',
      message: 'must be the number of proxies in front of the bot (1 to 10), or their addresses',
    });
    return z.NEVER;
  }
  if (v.toLowerCase() === 'true') {
    ctx.addIssue({
      code: 'custom',
      message:
        'true would believe any address a client writes in X-Forwarded-For; give the number of proxies in front of the bot (e.g. 1) or their addresses',
    });
    return z.NEVER;
  }
  const entries = v.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !PROXY_NAMES.includes(entry) && !ProxyAddress.safeParse(entry).success);
  if (bad.length === 0) return entries;
  ctx.addIssue({
    code: 'custom',
    message: `${bad.map((entry) => JSON.stringify(entry)).join(', ')}: use a number of proxies (e.g. 1), or addresses and subnets like 10.0.0.0/8, ::1, loopback, linklocal, uniquelocal`,
  });
  return z.NEVER;
}

/** Someone who may act as PJ on the Slack desk; `team` null: a user of the workspace the app is installed in. */
interface SlackAdvisor {
  team: string | null;
  user: string;
}

const SLACK_USERS_FORMS =
  'Slack member ids separated by commas, e.g. U0123ABCD, or T0123ABCD:U0123ABCD for a user of another workspace';

/** SLACK_ADVISOR_USER_IDS: `U...` (this workspace) or `TEAM:USER`, comma-separated. */
function parseSlackAdvisors(value: string | undefined, ctx: z.RefinementCtx): SlackAdvisor[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const match = /^(?:([TE][A-Z0-9]{2,}):)?([UW][A-Z0-9]{2,})$/.exec(entry);
    if (match?.[2] === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not a Slack member id: use ${SLACK_USERS_FORMS}` });
      return { team: null, user: '' };
    }
    return { team: match[1] ?? null, user: match[2] };
  });
}

const EnvSchema = z
  .object({
    PORT: optional(z.coerce.number().int().min(0).max(65535)).transform((v) => v ?? 3000),
    PUBLIC_BASE_URL: optional(z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''))),
    DATABASE_URL: optional(z.string()).transform((v, ctx) => parseDatabaseUrl(v ?? DEFAULT_DATABASE_URL, ctx)),
    DATABASE_POOL_MAX: optional(
      z.coerce
        .number({ error: 'must be a whole number, e.g. 10' })
        .int('must be a whole number, e.g. 10')
        .min(1)
        .max(1000),
    ).transform((v) => v ?? 10),
    TWILIO_ACCOUNT_SID: optional(
      z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits'),
    ),
    TWILIO_AUTH_TOKEN: optional(z.string().min(1)),
    TWILIO_WEBHOOK_OVERRIDES: optional(
      z
        .string()
        .transform((v) => v.replace(/^#/, ''))
        .pipe(
          z
            .string()
            .regex(
              /^[a-z]+=[^#&\s]+(&[a-z]+=[^#&\s]+)*$/,
              'must be the part after # of the webhook URL set in Twilio, e.g. rc=3&rp=ct,rt,5xx',
            ),
        ),
    ),
    TWILIO_PHONE_NUMBER: optional(E164),
    SMS_KEYWORD_REPLIES: optional(z.enum(['twilio', 'bot'])).transform((v) => v ?? 'twilio'),
    DECIDE_THREAD: optional(z.enum(['on', 'off'])).transform((v) => v !== 'off'),
    ADVISOR_NAME: optional(
      z.string().regex(/^[A-Za-z0-9 .'-]{1,40}$/, 'use up to 40 plain letters (it goes into SMS texts)'),
    ).transform((v) => v ?? 'PJ'),
    ADVISOR_PHONE: optional(E164).transform((v) => v ?? '+18584618054'),
    ADVISOR_LANGUAGES: optional(z.string())
      .transform((v) => [
        ...new Set(
          (v ?? 'en')
            .split(',')
            .map((l) => l.trim().toLowerCase())
            .filter((l) => l !== ''),
        ),
      ])
      .pipe(
        z
          .array(z.enum(['en', 'es'], { error: 'must list languages the bot speaks: en, es (e.g. en,es)' }))
          .min(1, 'must name at least one language: en, es'),
      ),
    ADMIN_TOKEN: optional(BEARER_TOKEN),
    METRICS_TOKEN: optional(BEARER_TOKEN),
    TRUST_PROXY: optional(z.string()).transform((v, ctx) => parseTrustProxy(v, ctx)),
    WEB_CHAT_ORIGINS: optional(z.string()).transform((v, ctx) => parseOrigins(v ?? '', ctx)),
    WEB_SESSION_SECRET: optional(
      z.string().min(32, 'must be at least 32 characters, e.g. from: openssl rand -base64 32'),
    ),
    WEB_PHONE_NOTICES_PER_HOUR: optional(
      z.coerce
        .number({ error: 'must be a whole number, e.g. 6' })
        .int('must be a whole number, e.g. 6')
        .min(0)
        .max(1000),
    ).transform((v) => v ?? 6),
    OUTBOX_LEASE_SECONDS: optional(
      z.coerce
        .number({ error: 'must be a whole number of seconds, e.g. 60' })
        .int('must be a whole number of seconds, e.g. 60')
        .min(5, 'must be at least 5 seconds: a slower send would be reported lost')
        .max(3600),
    ).transform((v) => v ?? 60),
    RETENTION_DAYS: optional(
      z.coerce
        .number({ error: 'must be a whole number of days, e.g. 365' })
        .int('must be a whole number of days, e.g. 365')
        .min(1, 'must be at least 1 day')
        .max(36_500, 'must be at most 36500 days'),
    ).transform((v) => v ?? 365),
    ADVISOR_NOTIFY_SMS: optional(E164),
    ADVISOR_COMMAND_PIN: optional(
      z
        .string()
        .regex(/^\d{4,12}$/, 'must be 4 to 12 digits, e.g. 5831')
        .refine((pin) => !/^(\d)\1*$/.test(pin), 'must not be one digit repeated'),
    ),
    ADVISOR_IDLE_MINUTES: optional(
      z.coerce
        .number()
        .positive()
        .max(7 * 24 * 60),
    ).transform((v) => v ?? 240),
    ADVISOR_REMIND_MINUTES: optional(
      z.coerce
        .number()
        .positive()
        .max(7 * 24 * 60),
    ).transform((v) => v ?? 30),
    TWILIO_API_URL: optional(z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''))),
    TWILIO_FETCH_MEDIA: optional(z.stringbool({ error: 'must be true or false' })).transform((v) => v ?? false),
    SLACK_HANDOFF_CHANNEL: optional(
      z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a channel id like C0123ABCD (channel details > About)'),
    ),
    SLACK_ADVISOR_USER_IDS: optional(z.string()).transform(parseSlackAdvisors),
    SLACK_SIGNING_SECRET: optional(z.string().min(1)),
    SLACK_BOT_TOKEN: optional(z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-...)')),
    SLACK_APP_TOKEN: optional(
      z.string().regex(/^xapp-/, 'must be an app-level token (xapp-...) with connections:write'),
    ),
    SLACK_API_URL: optional(z.url({ protocol: /^https?$/ })),
    ADVISOR_DIGEST: optional(z.enum(['slack', 'sms', 'off'])).transform((v) => v ?? 'off'),
    ADVISOR_DIGEST_HOUR: optional(
      z.coerce.number({ error: 'must be an hour from 0 to 23' }).int('must be an hour from 0 to 23').min(0).max(23),
    ).transform((v) => v ?? 8),
    QUIET_HOURS: optional(z.string()).transform(parseQuietHours),
    TZ: optional(
      z
        .string()
        .refine(
          isTimeZone,
          'must be a time zone like America/Los_Angeles (an IANA name), or unset for the system zone',
        ),
    ),
    LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).transform(
      (v) => v ?? 'info',
    ),
  })
  .superRefine((env, ctx) => {
    if (env.ADVISOR_DIGEST === 'sms' && env.ADVISOR_NOTIFY_SMS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADVISOR_NOTIFY_SMS'],
        message: 'is required with ADVISOR_DIGEST=sms: the digest goes to that number',
      });
    }
    if (env.ADVISOR_DIGEST === 'slack' && env.SLACK_HANDOFF_CHANNEL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_HANDOFF_CHANNEL'],
        message: 'is required with ADVISOR_DIGEST=slack: the digest goes to that channel',
      });
    }
    if (env.SLACK_HANDOFF_CHANNEL !== undefined && env.SLACK_BOT_TOKEN === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'is required when SLACK_HANDOFF_CHANNEL is set',
      });
    }
    if (env.SLACK_HANDOFF_CHANNEL !== undefined && env.SLACK_ADVISOR_USER_IDS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_ADVISOR_USER_IDS'],
        message: `is required when SLACK_HANDOFF_CHANNEL is set: who may act as PJ there (${SLACK_USERS_FORMS}; Slack profile > More > Copy member ID)`,
      });
    }
    const canText =
      env.TWILIO_ACCOUNT_SID !== undefined &&
      env.TWILIO_AUTH_TOKEN !== undefined &&
      env.TWILIO_PHONE_NUMBER !== undefined;
    if (env.ADVISOR_NOTIFY_SMS !== undefined && !canText) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADVISOR_NOTIFY_SMS'],
        message: 'needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER to text PJ',
      });
    }
    if (env.ADVISOR_COMMAND_PIN !== undefined && env.ADVISOR_NOTIFY_SMS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADVISOR_COMMAND_PIN'],
        message: "guards PJ's commands from ADVISOR_NOTIFY_SMS, which is not set: set it too, or leave the PIN empty",
      });
    }
    if (env.TWILIO_FETCH_MEDIA && (env.TWILIO_ACCOUNT_SID === undefined || env.TWILIO_AUTH_TOKEN === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_FETCH_MEDIA'],
        message: 'needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: pictures are downloaded with the account credentials',
      });
    }
    if (env.SLACK_APP_TOKEN !== undefined && env.SLACK_BOT_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when SLACK_APP_TOKEN is set' });
    }
    if (env.METRICS_TOKEN !== undefined && env.METRICS_TOKEN === env.ADMIN_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_TOKEN'],
        message: `must differ from ADMIN_TOKEN: whatever scrapes the metrics must not open the admin API; ${NEW_ADMIN_TOKEN}`,
      });
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
  database: StoreChoice;
  sms: { authToken: string; publicBaseUrl: string; webhookOverrides?: string } | null;
  /**
   * Downloading what clients attach (TWILIO_FETCH_MEDIA) into the database, with the account's
   * credentials, each file up to `maxBytes`; null: only the links are kept.
   */
  fetchMedia: { accountSid: string; authToken: string; apiUrl?: string; maxBytes: number } | null;
  /** Sending SMS through the REST API (the outbox): needs the account SID and the number. */
  twilioRest: { accountSid: string; authToken: string; from: string; apiUrl?: string; statusCallback?: string } | null;
  handoff: { notifySms: string | null; deskChannel: string | null; idleMs: number; remindMs: number };
  /**
   * Who may act as PJ: on the Slack desk, the users of SLACK_ADVISOR_USER_IDS (empty when the desk
   * is off); on his phone, texts that start with ADVISOR_COMMAND_PIN when it is set.
   */
  advisorAccess: { slackUsers: SlackAdvisor[]; commandPin: string | null };
  botAnswersKeywords: boolean;
  /**
   * DECIDE_THREAD (on unless `off`): texts are decided on a worker thread of their own while the
   * main thread parses and answers requests (SQLite only). More texts a second, lower p99 and
   * faster Slack acks, for about 40 MiB more memory under load (issue 11).
   */
  decideThread: boolean;
  /** On with a bot token and either a signing secret (HTTP) or an app token (Socket Mode). */
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string } | null;
  advisor: { name: string; phone: string };
  /** The languages PJ answers clients in (ADVISOR_LANGUAGES); a client writing in another is told he answers in English. */
  advisorLanguages: Array<'en' | 'es'>;
  adminToken: string | null;
  /** Turns GET /metrics on (Prometheus text, `Authorization: Bearer <METRICS_TOKEN>`); null: no such route. */
  metricsToken: string | null;
  /** Which proxies' X-Forwarded-For names a client (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** PUBLIC_BASE_URL is https: admin responses carry HSTS. */
  hsts: boolean;
  /** Closed and opted-out conversations are removed this many days after their last change. */
  retentionDays: number;
  /** How long a claimed outbox message may take to send before it counts as lost mid-send (unknown). */
  outboxLeaseMs: number;
  web: {
    /** Other sites allowed to embed the chat (the bot's own pages always are). */
    origins: string[];
    /** Signs web session ids; null: generated once and kept in the database. Never logged. */
    sessionSecret: string | null;
    /** Notices about web conversations to PJ's phone per hour, at most (and one per conversation). */
    phoneNoticesPerHour: number;
  };
  /** PJ's days and hours (TZ): the pipeline's periods and the digest; the system zone when unset. */
  timeZone: string;
  /** PJ's daily digest (ADVISOR_DIGEST): where it goes and from which hour of his day; null when off. */
  digest: { via: 'sms' | 'slack'; to: string; hour: number } | null;
  /** The client's local hours the bot may start texts in (QUIET_HOURS, 8-21 by default); null: off. */
  quietHours: { start: number; end: number } | null;
  logLevel: string;
}

/** The cap on one downloaded attachment (TWILIO_FETCH_MEDIA); Twilio's own MMS limit is 5 MB a message. */
export const MEDIA_MAX_BYTES = 5 * 1024 * 1024;

/**
 * QUIET_HOURS: the local hours the bot may start texts in, START-END in whole hours (8-21, the
 * default: from 8:00 up to 21:00), or off.
 */
function parseQuietHours(raw: string | undefined, ctx: z.RefinementCtx): { start: number; end: number } | null {
  const value = (raw ?? '8-21').trim().toLowerCase();
  if (value === 'off') return null;
  const match = /^(\d{1,2})\s*-\s*(\d{1,2})$/.exec(value);
  const [start, end] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(start >= 0 && end <= 24 && start < end)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be START-END in whole hours, START before END (e.g. 8-21: from 8:00 up to 21:00), or off',
    });
    return z.NEVER;
  }
  return { start, end };
}

export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

/** Where the store is, for logs and the terminal: the SQLite file, or only "PostgreSQL" (its URL may hold a password). */
export function describeStoreChoice(choice: StoreChoice): string {
  return choice.kind === 'sqlite' ? choice.path : 'PostgreSQL';
}

/** Where PJ's digest goes: his number for sms, the handoff channel for slack (the schema checked both are set). */
function digestOf(
  via: 'slack' | 'sms' | 'off',
  hour: number,
  sms: string | undefined,
  channel: string | undefined,
): Config['digest'] {
  if (via === 'sms' && sms !== undefined) return { via, to: sms, hour };
  if (via === 'slack' && channel !== undefined) return { via, to: channel, hour };
  return null;
}

/** Parses the environment once, at start-up. Throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    port: e.PORT,
    database: e.DATABASE_URL.kind === 'postgres' ? { ...e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX } : e.DATABASE_URL,
    sms:
      e.TWILIO_AUTH_TOKEN !== undefined && e.PUBLIC_BASE_URL !== undefined
        ? {
            authToken: e.TWILIO_AUTH_TOKEN,
            publicBaseUrl: e.PUBLIC_BASE_URL,
            ...(e.TWILIO_WEBHOOK_OVERRIDES !== undefined && { webhookOverrides: e.TWILIO_WEBHOOK_OVERRIDES }),
          }
        : null,
    botAnswersKeywords: e.SMS_KEYWORD_REPLIES === 'bot',
    decideThread: e.DECIDE_THREAD,
    fetchMedia:
      e.TWILIO_FETCH_MEDIA && e.TWILIO_ACCOUNT_SID !== undefined && e.TWILIO_AUTH_TOKEN !== undefined
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            ...(e.TWILIO_API_URL !== undefined && { apiUrl: e.TWILIO_API_URL }),
            maxBytes: MEDIA_MAX_BYTES,
          }
        : null,
    twilioRest:
      e.TWILIO_ACCOUNT_SID !== undefined && e.TWILIO_AUTH_TOKEN !== undefined && e.TWILIO_PHONE_NUMBER !== undefined
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            from: e.TWILIO_PHONE_NUMBER,
            ...(e.TWILIO_API_URL !== undefined && { apiUrl: e.TWILIO_API_URL }),
            ...(e.PUBLIC_BASE_URL !== undefined && { statusCallback: `${e.PUBLIC_BASE_URL}/twilio/status` }),
          }
        : null,
    handoff: {
      notifySms: e.ADVISOR_NOTIFY_SMS ?? null,
      deskChannel: e.SLACK_HANDOFF_CHANNEL ?? null,
      idleMs: e.ADVISOR_IDLE_MINUTES * 60_000,
      remindMs: e.ADVISOR_REMIND_MINUTES * 60_000,
    },
    advisorAccess: { slackUsers: e.SLACK_ADVISOR_USER_IDS, commandPin: e.ADVISOR_COMMAND_PIN ?? null },
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
    advisorLanguages: e.ADVISOR_LANGUAGES,
    adminToken: e.ADMIN_TOKEN ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    trustProxy: e.TRUST_PROXY,
    hsts: e.PUBLIC_BASE_URL?.startsWith('https://') ?? false,
    retentionDays: e.RETENTION_DAYS,
    outboxLeaseMs: e.OUTBOX_LEASE_SECONDS * 1000,
    web: {
      origins: e.WEB_CHAT_ORIGINS,
      sessionSecret: e.WEB_SESSION_SECRET ?? null,
      phoneNoticesPerHour: e.WEB_PHONE_NOTICES_PER_HOUR,
    },
    timeZone: e.TZ ?? new Intl.DateTimeFormat().resolvedOptions().timeZone,
    digest: digestOf(e.ADVISOR_DIGEST, e.ADVISOR_DIGEST_HOUR, e.ADVISOR_NOTIFY_SMS, e.SLACK_HANDOFF_CHANNEL),
    quietHours: e.QUIET_HOURS,
    logLevel: e.LOG_LEVEL,
  };
}
