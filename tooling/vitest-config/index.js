import { defineConfig } from 'vitest/config'

/**
 * The shared vitest preset. Tests live in each package's test/ folder.
 * Timed assertions are not allowed: these machines are shared and noisy,
 * performance is measured by `pnpm bench`, not by tests.
 */
export const preset = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
