import { preset } from '@zswap/tsup-config'
import { defineConfig } from 'tsup'

export default defineConfig({ ...preset })
