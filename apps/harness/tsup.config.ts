import { preset } from '@zswap/tsup-config'
import { defineConfig, type Options } from 'tsup'

// Every bench module is its own file in dist/bench, loaded by dist/bench.js at run time.
// Typed explicitly: the harness's tsup (with jiti as its peer) is another instance than the preset's.
const options: Options = {
  ...(preset as Options),
  entry: ['src/index.ts', 'src/cli.ts', 'src/bench.ts', 'src/bench/*.ts'],
}
export default defineConfig(options)
