import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

// The CLIs run from dist: `pnpm fuzz` and `pnpm soak` at the repo root build this app first.
export default defineConfig({
  ...preset,
  entry: ['src/index.ts', 'src/fuzz-cli.ts', 'src/soak-cli.ts'],
})
