import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { loadAddon } from './addon.js'
import { INSTALL_HINT, type LzoBackend, type LzoCodec, PKG } from './codec.js'
import { Liblzo2Codec } from './liblzo2-codec.js'

/** Capabilities of {@link LzoCompressor}: the contract's plus `checksum` and `backend`. */
export interface LzoCapabilities extends CompressorCapabilities {
  /** True when every stored stream carries a checksum, so any corruption is detected. */
  readonly checksum: boolean
  /** The library doing the work: `'liblzo2'` (this package's addon). */
  readonly backend: LzoBackend
}

/** Options of {@link lzo}. */
export interface LzoOptions {
  /**
   * Append a CRC-32 of the compressed stream (4 bytes) and verify it before
   * decompressing. An LZO1X stream has no checksum: without it, a bit flip in
   * a literal decompresses to a wrong page that nothing detects. `false`
   * writes exactly the kernel's `lzo` bytes (what `zswap-harness kernel-check`
   * needs for object sizes equal to the kernel's) but no longer meets the
   * contract's "never a wrong page" rule for corrupted stored data; truncated
   * or garbage input is still caught in most cases, never crashes.
   * Default: true, like every driver of this project (see the README).
   */
  checksum?: boolean
}

/** Builds the codec; throws CompressionFailedError with the install hint when the addon is missing. */
function codecFor(checksum: boolean): LzoCodec {
  const { addon, error } = loadAddon()
  if (addon !== undefined) return new Liblzo2Codec(addon, checksum)
  throw new CompressionFailedError(
    `[${PKG}] the liblzo2 addon is not built (${error.message.split('\n')[0]}): ${INSTALL_HINT}`,
    { cause: error },
  )
}

/**
 * LZO1X-1 compression on liblzo2, the format of the kernel's `lzo` (zswap's
 * Kconfig default).
 *
 * Wire format: the LZO1X stream, followed by `u32le CRC-32(stream)` when
 * `checksum` is on. There is no pure-JavaScript fallback: without the addon
 * the constructor throws `CompressionFailedError` (code
 * `ERR_COMPRESSION_FAILED`) that says how to build it.
 */
export class LzoCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'lzo'
  readonly capabilities: LzoCapabilities
  readonly #codec: LzoCodec

  constructor(options: LzoOptions = {}) {
    const { checksum = true } = options
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    this.#codec = codecFor(checksum)
    this.capabilities = Object.freeze({
      format: checksum ? 'lzo1x+crc32' : 'lzo1x',
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
