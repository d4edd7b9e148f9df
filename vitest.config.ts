import { configDefaults, defineConfig } from 'vitest/config';

// Unit tests (core, app, adapters) share one module graph per worker (isolate: false): they keep no
// state between files, and importing the app once per worker instead of once per file makes them
// about three times cheaper. Integration tests keep a fresh graph per file (servers, processes).
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
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, UNIT] },
      },
    ],
  },
});
