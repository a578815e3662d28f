import type { Lz4Backend } from '../src/index.js'
import { liblz4Status } from '../src/index.js'

/**
 * The backends this machine can test: lz4-napi always, liblz4 when the addon
 * is built. CI sets ZSWAP_LZ4_REQUIRE_LIBLZ4=1 so that a missing addon fails
 * there (test/addon.test.ts) instead of silently testing one backend.
 */
export const liblz4 = liblz4Status()
export const backends: readonly Lz4Backend[] = liblz4.available ? ['liblz4', 'lz4-napi'] : ['lz4-napi']
