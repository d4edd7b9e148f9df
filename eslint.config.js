import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The dependency rule (docs style.md §4). A later block's no-restricted-imports replaces an
// earlier one's for the same file, so each block lists every pattern that applies to its folder.

/** Every SDK and the Node built-ins: only adapters (and the entry points) talk to the outside. */
const SDKS = [
  'node:*',
  'express',
  'twilio',
  '@slack/*',
  'better-sqlite3',
  'pg',
  'pino',
  'yaml',
  'eld',
  'undici',
  'ws',
  'prom-client',
];
const ADAPTERS = ['flow-files', 'http', 'log', 'metrics', 'postgres', 'slack', 'sqlite', 'threads', 'twilio', 'web'];
/** Each adapter's own SDK, which no other adapter may import (express is the HTTP seam they share). */
const ADAPTER_SDKS = {
  twilio: ['twilio'],
  slack: ['@slack/*'],
  sqlite: ['better-sqlite3'],
  postgres: ['pg'],
  log: ['pino'],
  'flow-files': ['yaml', 'eld'],
  metrics: ['prom-client'],
};

/** Only the entry points read config; nothing imports an entry point; src never imports test/. */
const entryPointsOnly = {
  group: ['**/config.js', '**/compose.js', '**/main.js', '**/chat.js', '**/test/**'],
  message:
    'Only compose.ts, main.ts and chat.ts import config.ts; nothing imports them, and src/ never imports test/ (style.md §4).',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'dist.*/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // ignoreRestSiblings: `const { fn, ...data } = x` drops what must not be copied on.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // The legacy URL-encoding globals silently stand in for a missing local helper of that name.
      'no-restricted-globals': ['error', 'escape', 'unescape'],
    },
  },
  {
    // Everything in src that is not an entry point or a layer below (load-env.ts, config.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/compose.ts', 'src/main.ts', 'src/chat.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [entryPointsOnly] }] },
  },
  {
    files: ['src/config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$)', message: 'config.ts imports only zod (style.md §4).' }] },
      ],
    },
  },
  {
    // The core is pure: no I/O, no SDKs, no process state. It may import only itself, xstate and zod.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: SDKS, message: 'core/ imports only core/, xstate and zod (style.md §4).' },
            {
              group: ['../app/*', '../adapters/*'],
              message: 'core/ imports only core/, xstate and zod (style.md §4).',
            },
            entryPointsOnly,
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Date', 'escape', 'unescape'],
    },
  },
  {
    // Use cases: core only. The machine's xstate calls live in core/step-conversation.ts.
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...SDKS, 'xstate'],
              message: 'app/ imports only core/ (style.md §4); xstate stays in core/step-conversation.ts.',
            },
            {
              group: ['../adapters/*'],
              message: 'app/ imports only core/: adapters are injected as the ports in core/ports.ts (style.md §4).',
            },
            entryPointsOnly,
          ],
        },
      ],
    },
  },
  // Each adapter: core and its own SDK; never app/ (it gets use cases as driving ports) nor another adapter.
  ...ADAPTERS.map((own) => {
    const others = ADAPTERS.filter((name) => name !== own);
    return {
      files: [`src/adapters/${own}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: ['../../app/*', '../../../app/*'],
                message:
                  'Adapters never import app/: take the use case as a driving port (core/driving-ports.ts) wired in compose.ts.',
              },
              {
                group: others.flatMap((name) => [`../${name}/*`, `../../${name}/*`]),
                message: `adapters/${own}/ may not import another adapter: share through core/ or wire it in compose.ts.`,
              },
              {
                group: others.flatMap((name) => ADAPTER_SDKS[name] ?? []),
                message: `adapters/${own}/ uses its own SDK only; another adapter owns this one.`,
              },
              entryPointsOnly,
            ],
          },
        ],
      },
    };
  }),
);
