// Mutation testing of this package: `pnpm mutate` at the repo root (see RELIABILITY.md).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // pnpm does not hoist the runner next to @stryker-mutator/core: name it by path
  plugins: [require.resolve('@stryker-mutator/vitest-runner')],
  // vitest.stryker.config.ts: the tests' imports of sibling packages' sources must resolve from the sandbox
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: ['src/**/*.ts', '!src/index.ts'],
  coverageAnalysis: 'perTest',
  // Vitest 4.1 with forks on a busy 2-core machine: generous per-mutant timeout, few workers
  timeoutMS: 20_000,
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
