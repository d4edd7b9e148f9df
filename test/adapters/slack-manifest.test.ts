import { readFileSync } from 'node:fs';
import type { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import httpManifest from '../../slack/manifest.json' with { type: 'json' };
import socketManifest from '../../slack/manifest.socket-mode.json' with { type: 'json' };

type Manifest = webApi.AppsManifestCreateArguments['manifest'];
type BotScope = NonNullable<NonNullable<NonNullable<Manifest['oauth_config']>['scopes']>['bot']>[number];
type BotEvent = NonNullable<
  NonNullable<NonNullable<Manifest['settings']>['event_subscriptions']>['bot_events']
>[number];

// --- Compile-time shape check -------------------------------------------------------------
// A JSON import types every string as `string`, so Slack's literal unions (scopes, events) are
// widened the same way; the required scope and event names below are checked against them instead.
type Widen<T> = T extends string
  ? string
  : T extends readonly (infer E)[]
    ? Widen<E>[]
    : T extends object
      ? { [K in keyof T]: Widen<T[K]> }
      : T;
// Keys the manifest has that Slack's type does not know (a typo such as `home_tab_enable`).
// A JSON import is not a fresh object literal, so `satisfies` alone would not flag them.
type UnknownKeys<A, S> = A extends readonly (infer AE)[]
  ? S extends readonly (infer SE)[]
    ? UnknownKeys<AE, SE>
    : never
  : A extends object
    ? { [K in keyof A]-?: K extends keyof S ? UnknownKeys<A[K], NonNullable<S[K]>> : K }[keyof A]
    : never;
type NoUnknownKeys<A> = [UnknownKeys<A, Manifest>] extends [never] ? A : { unknownKeys: UnknownKeys<A, Manifest> };

httpManifest satisfies Widen<Manifest> & NoUnknownKeys<typeof httpManifest>;
socketManifest satisfies Widen<Manifest> & NoUnknownKeys<typeof socketManifest>;

// --- Runtime checks --------------------------------------------------------------------------
const HTTP_PATH = 'slack/manifest.json';
const SOCKET_PATH = 'slack/manifest.socket-mode.json';
const LISTENERS = 'src/adapters/slack/slack-listeners.ts';

const REQUIRED_SCOPES: BotScope[] = ['chat:write', 'im:write', 'commands', 'app_mentions:read', 'im:history'];
// A `message` listener gets messages from wherever the app subscribes: DMs, public and private channels.
const MESSAGE_EVENTS: BotEvent[] = ['message.im', 'message.channels', 'message.groups'];

function parse(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

/** Every [key path, value] pair whose key says it is a URL, at any depth. */
function urlsIn(value: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => urlsIn(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]): Array<[string, unknown]> =>
    /(^|_)urls?$/.test(k) ? [[`${path}.${k}`, v]] : urlsIn(v, `${path}.${k}`),
  );
}

/** The events the listener source subscribes to, as Slack's manifest names them. */
function listenedEvents(): string[] {
  const source = readFileSync(LISTENERS, 'utf8');
  const names = [...source.matchAll(/\bapp\.event\(\s*['"]([a-z_.]+)['"]/g)].map((m) => m[1] ?? '');
  if (/\bapp\.message\(/.test(source)) names.push('message');
  return [...new Set(names)].flatMap((name) => (name === 'message' ? MESSAGE_EVENTS : [name]));
}

describe.each([
  ['HTTP', HTTP_PATH],
  ['Socket Mode', SOCKET_PATH],
])('the %s manifest', (_mode, path) => {
  const manifest = parse(path);

  it('is JSON for "SOC Advisor" with a bot user and an App Home with Home and Messages tabs', () => {
    expect(manifest.display_information.name).toBe('SOC Advisor');
    expect(manifest.display_information.description?.length).toBeGreaterThan(0);
    expect(manifest.display_information.description!.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features?.bot_user).toEqual({ display_name: 'SOC Advisor', always_online: true });
    expect(manifest.features?.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('subscribes to every event the listeners handle', () => {
    const events = listenedEvents();
    expect(events).toEqual(expect.arrayContaining(['app_mention', 'app_home_opened', ...MESSAGE_EVENTS]));
    expect(manifest.settings?.event_subscriptions?.bot_events).toEqual(expect.arrayContaining(events));
  });

  it('declares /soc and turns interactivity on for the buttons', () => {
    const commands = [...readFileSync(LISTENERS, 'utf8').matchAll(/\bapp\.command\(\s*['"](\/[a-z_-]+)['"]/g)].map(
      (m) => m[1],
    );
    expect(commands).toContain('/soc');
    expect(manifest.features?.slash_commands?.map((c) => c.command)).toEqual(expect.arrayContaining(commands));
    expect(manifest.features?.slash_commands?.find((c) => c.command === '/soc')).toMatchObject({
      description: expect.any(String),
      should_escape: false,
    });
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
  });

  it('asks for the scopes the bot needs', () => {
    expect(manifest.oauth_config?.scopes?.bot).toEqual(expect.arrayContaining(REQUIRED_SCOPES));
    expect(new Set(manifest.oauth_config?.scopes?.bot).size).toBe(manifest.oauth_config?.scopes?.bot?.length);
  });

  it('keeps org deploy and token rotation off', () => {
    expect(manifest.settings?.org_deploy_enabled).toBe(false);
    expect(manifest.settings?.token_rotation_enabled).toBe(false);
  });
});

describe('HTTP and Socket Mode', () => {
  const http = parse(HTTP_PATH);
  const socket = parse(SOCKET_PATH);

  it('the HTTP manifest points every URL at /slack/events over https and has Socket Mode off', () => {
    expect(http.settings?.socket_mode_enabled).toBe(false);
    const urls = urlsIn(http);
    expect(urls.map(([key]) => key).sort()).toEqual([
      '.features.slash_commands[0].url',
      '.settings.event_subscriptions.request_url',
      '.settings.interactivity.request_url',
    ]);
    for (const [key, url] of urls) {
      expect(typeof url, key).toBe('string');
      const parsed = new URL(url as string);
      expect(parsed.protocol, key).toBe('https:');
      expect(parsed.pathname, key).toMatch(/\/slack\/events$/);
    }
  });

  it('the Socket Mode manifest has Socket Mode on and no URLs at all', () => {
    expect(socket.settings?.socket_mode_enabled).toBe(true);
    expect(urlsIn(socket)).toEqual([]);
    expect(JSON.stringify(socket)).not.toMatch(/https?:\/\//);
  });

  it('they differ only in the URLs and the Socket Mode switch', () => {
    const withoutUrls = structuredClone(http);
    for (const command of withoutUrls.features?.slash_commands ?? []) delete command.url;
    delete withoutUrls.settings?.event_subscriptions?.request_url;
    delete withoutUrls.settings?.interactivity?.request_url;
    expect({ ...socket, settings: { ...socket.settings, socket_mode_enabled: false } }).toEqual(withoutUrls);
  });
});
