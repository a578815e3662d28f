import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

// Every bench module is its own file in dist/bench, loaded by dist/bench.js at run time.
export default defineConfig({
  ...preset,
  entry: ['src/index.ts', 'src/cli.ts', 'src/bench.ts', 'src/bench/*.ts'],
})
