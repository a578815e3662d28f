import type { Lz4Backend } from '../src/index.js'
import { liblz4Status } from '../src/index.js'

/**
 * The backends this machine can test: lz4-napi always, liblz4 when the addon
 * is built. Where liblz4-dev is installed (CI), test/addon.test.ts fails if
 * the addon is missing, so CI never silently tests one backend only.
 */
export const liblz4 = liblz4Status()
export const backends: readonly Lz4Backend[] = liblz4.available ? ['liblz4', 'lz4-napi'] : ['lz4-napi']
