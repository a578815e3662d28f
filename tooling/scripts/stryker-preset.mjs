// The Stryker options every package's stryker.config.mjs shares (`pnpm mutate`, see RELIABILITY.md).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * Stryker 9.6 over a package's vitest suite, with the Vitest 4.1 workarounds.
 * @param {{ vitestConfig?: string }} [options] the vitest config file, relative to the package
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function strykerPreset({ vitestConfig = 'vitest.config.ts' } = {}) {
  return {
    testRunner: 'vitest',
    // pnpm does not hoist the runner next to @stryker-mutator/core: name it by path
    plugins: [require.resolve('@stryker-mutator/vitest-runner')],
    vitest: { configFile: vitestConfig },
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
}
