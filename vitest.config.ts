import { defineConfig } from 'vitest/config';

// One runner for every package. Tests sit next to the code they test (src/**/*.test.ts) and run
// against the TypeScript sources; tests that spawn the CLI or worker threads use the built dist/
// (the test command builds first).
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
