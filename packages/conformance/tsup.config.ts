import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

// vitest stays external: the suites must use the test runner of the package that runs them
export default defineConfig({ ...preset, external: ['vitest', '@zswap/cache'] })
