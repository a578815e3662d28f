import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

// The engine is a second entry: workers load dist/engine.js by URL.
export default defineConfig({ ...preset, entry: ['src/index.ts', 'src/engine.ts'] })
