// Vitest config for Stryker only (stryker.config.mjs). Stryker runs the tests
// in a copy of this package under .stryker-tmp/sandbox-*/, where the tests'
// relative imports of sibling packages' sources ('../../zsmalloc/src/…') would
// point inside .stryker-tmp: those test files failed to load and their tests
// silently did not run. This alias sends them to the real packages.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { preset } from '@zswap/vitest-config'
import { mergeConfig } from 'vitest/config'

const here = dirname(fileURLToPath(import.meta.url))
// in a sandbox: packages/cache/.stryker-tmp/sandbox-*/ → packages/; else packages/cache/ → packages/
const packages = here.includes('.stryker-tmp') ? resolve(here, '../../..') : resolve(here, '..')

// STRYKER_FAST=1 leaves out the model-based test, which covers nearly every
// mutant and makes each about 10× slower: for quick iteration on a few files.
const fast = process.env.STRYKER_FAST === '1'

export default mergeConfig(preset, {
  ...(fast ? { test: { exclude: ['**/node_modules/**', 'test/model.test.ts'] } } : {}),
  resolve: {
    alias: [
      {
        find: /^\.\.\/\.\.\/(by-n|conformance|lz4|zbud|zsmalloc|z3fold|zstd|deflate|iaa)\/src\//,
        replacement: `${packages}/$1/src/`,
      },
    ],
  },
})
