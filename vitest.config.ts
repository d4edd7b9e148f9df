import { configDefaults, defineConfig } from 'vitest/config';

// Both projects run without isolation: the files of a worker share one module graph, so the app,
// Twilio, Bolt and pg are imported once per worker instead of once per file (an integration file
// spent about 2.5 s importing; the whole suite went from 223 s to about 160 s). It asks that a test
// keep no state in a shared module, stub no globals and restore any fake timers it installs; each
// integration test starts its own app, server and database. `unit` is core, app and adapters;
// `integration` is requests through real routes, processes and the browser.
const UNIT = 'test/{core,app,adapters}/**/*.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: [UNIT], isolate: false } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, UNIT],
          isolate: false,
        },
      },
    ],
  },
});
