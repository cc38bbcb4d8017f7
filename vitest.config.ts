import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,relay,web}/src/**/*.test.ts', 'tools/*.test.ts', 'tests/node/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
