import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

export default defineConfig({ ...preset, entry: ['src/index.ts', 'src/cli.ts', 'src/bench.ts'] })
