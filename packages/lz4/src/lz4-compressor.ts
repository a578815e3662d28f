import {
  type Compressor,
  type CompressorCapabilities,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { loadAddon, warnFallback } from './addon.js'
import { type Lz4Backend, type Lz4Codec, MAX_INPUT_SIZE, PKG } from './codec.js'
import { Liblz4Codec } from './liblz4-codec.js'
import { Lz4NapiCodec } from './lz4-napi-codec.js'

/** Capabilities of {@link Lz4Compressor}: the contract's plus `checksum` and `backend`. */
export interface Lz4Capabilities extends CompressorCapabilities {
  /** True when every stored block carries a checksum, so any corruption is detected. */
  readonly checksum: boolean
  /** The library doing the work: `'liblz4'` (this package's addon) or `'lz4-napi'`. */
  readonly backend: Lz4Backend
}

/** Options of {@link lz4}. */
export interface Lz4Options {
  /**
   * Append a CRC-32 of the compressed bytes (4 bytes) and verify it before
   * decompressing. An LZ4 block has no checksum: without it, a bit flip in a
   * literal decompresses to a wrong page that nothing detects (measured: about
   * a third of single-bit flips in a text page). `false` drops the trailer and
   * the hash but no longer meets the contract's "never a wrong page" rule for
   * corrupted stored data; truncated or garbage input is still caught in most
   * cases, never crashes.
   * Default: true.
   */
  checksum?: boolean
  /**
   * Which library runs: `'liblz4'`, the reference C library through this
   * package's addon (prebuilt for linux-x64 glibc, or built from source with
   * `scripts/build-addon.mjs`); `'lz4-napi'`, the Rust lz4_flex binding;
   * `'auto'`, liblz4 when the addon loaded, else lz4-napi (with a one-time
   * process warning, code `ZSWAP_LZ4_FALLBACK`, that says how to build it). Both write the same format, so either
   * reads what the other wrote. Asking for `'liblz4'` without the addon
   * throws a RangeError with code `ERR_INVALID_OPTION` that says why.
   * Default: `'auto'`.
   */
  backend?: 'auto' | Lz4Backend
}

const BACKENDS = ['auto', 'liblz4', 'lz4-napi'] as const
const BUILD_HINT =
  'To build it from source: `apt-get install -y build-essential liblz4-dev libdeflate-dev`, ' +
  'then `node node_modules/@zswap/lz4/scripts/build-addon.mjs`'

/** Picks and builds the codec for the options; throws when `'liblz4'` is asked for and missing. */
function codecFor(backend: 'auto' | Lz4Backend, checksum: boolean): Lz4Codec {
  if (backend === 'lz4-napi') return new Lz4NapiCodec(checksum)
  const { addon, error } = loadAddon()
  if (addon !== undefined) return new Liblz4Codec(addon, checksum)
  if (backend === 'auto') {
    warnFallback(
      PKG,
      'ZSWAP_LZ4_FALLBACK',
      `the liblz4 addon did not load, running on lz4-napi (slower). ${BUILD_HINT}`,
    )
    return new Lz4NapiCodec(checksum)
  }
  const wrong = invalidOption(
    PKG,
    'backend',
    `'auto' or 'lz4-napi' on this machine: the liblz4 addon did not load (${error.message.split('\n')[0]}). ${BUILD_HINT}`,
  )
  Object.defineProperty(wrong, 'cause', { value: error, enumerable: false })
  throw wrong
}

/**
 * LZ4 block compression on the reference C library (liblz4) or lz4-napi.
 *
 * Wire format, the same on both backends: `u32le uncompressedSize ‖ LZ4
 * block`, followed by `u32le CRC-32(everything before it)` when `checksum`
 * is on. `capabilities.backend` says which library runs.
 */
export class Lz4Compressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'lz4'
  readonly capabilities: Lz4Capabilities
  readonly #codec: Lz4Codec

  constructor(options: Lz4Options = {}) {
    const { checksum = true, backend = 'auto' } = options
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    if (!(BACKENDS as readonly unknown[]).includes(backend)) {
      throw invalidOption(PKG, 'backend', `one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}`)
    }
    this.#codec = codecFor(backend, checksum)
    this.capabilities = Object.freeze({
      format: checksum ? 'lz4-block+size+crc32' : 'lz4-block+size',
      maxInputSize: MAX_INPUT_SIZE,
      checksum,
      backend: this.#codec.backend,
    })
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.compress(src, dst)
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.decompress(src, dst)
  }
}
