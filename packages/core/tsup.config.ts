import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

export default defineConfig({
  ...preset,
  splitting: true,
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
})
