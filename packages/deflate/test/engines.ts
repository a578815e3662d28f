import type { DeflateEngineName } from '../src/index.js'
import { libdeflateStatus } from '../src/index.js'

/**
 * The engines this machine can test: zlib and fflate always, libdeflate when
 * the addon is built. Where libdeflate-dev is installed (CI), test/addon.test.ts
 * fails if the addon is missing, so CI never silently skips libdeflate.
 */
export const libdeflate = libdeflateStatus()
export const engines: readonly DeflateEngineName[] = libdeflate.available
  ? ['libdeflate', 'zlib', 'fflate']
  : ['zlib', 'fflate']
