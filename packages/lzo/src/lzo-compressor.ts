import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { loadAddon } from './addon.js'
import { INSTALL_HINT, type LzoAlgorithm, type LzoBackend, type LzoCodec, PKG } from './codec.js'
import { Liblzo2Codec } from './liblzo2-codec.js'

/** Capabilities of {@link LzoCompressor}: the contract's plus `checksum` and `backend`. */
export interface LzoCapabilities extends CompressorCapabilities {
  /** True when every stored stream carries a checksum, so any corruption is detected. */
  readonly checksum: boolean
  /** The library doing the work: `'liblzo2'` for `lzo`, `'builtin'` (this package's own C coder) for `lzo-rle`. */
  readonly backend: LzoBackend
  /** `'lzo'` or `'lzo-rle'`, as the kernel names them in /proc/crypto. */
  readonly algorithm: LzoAlgorithm
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
  /**
   * `'lzo'`: plain LZO1X-1, the kernel's `lzo` (zswap's Kconfig default), on
   * liblzo2. `'lzo-rle'`: the kernel's `lzo-rle` (zram's default): the same
   * coder plus runs of 4..2051 zero bytes as one 4-byte instruction, in the
   * kernel's bitstream version 1 (streams start with 17, 1); liblzo2 has no
   * such coder, so it runs on this package's own C implementation. The two
   * formats differ: each reads only its own streams (`lzo-rle`'s decoder also
   * reads plain ones). `lzoRle()` is `lzo({ algorithm: 'lzo-rle' })`.
   * Default: `'lzo'`.
   */
  algorithm?: LzoAlgorithm
}

const ALGORITHMS: readonly LzoAlgorithm[] = ['lzo', 'lzo-rle']

/** Builds the codec; throws CompressionFailedError with the install hint when the addon is missing. */
function codecFor(checksum: boolean, algorithm: LzoAlgorithm): LzoCodec {
  const { addon, error } = loadAddon()
  if (addon !== undefined) return new Liblzo2Codec(addon, checksum, algorithm)
  throw new CompressionFailedError(
    `[${PKG}] the liblzo2 addon did not load (${error.message.split('\n')[0]}): ${INSTALL_HINT}`,
    { cause: error },
  )
}

/**
 * LZO1X-1 compression as the kernel's `lzo` (zswap's Kconfig default) on
 * liblzo2, or as its `lzo-rle`.
 *
 * Wire format: the stream the kernel's algorithm stores, followed by
 * `u32le CRC-32(stream)` when `checksum` is on. There is no pure-JavaScript fallback: without the addon
 * the constructor throws `CompressionFailedError` (code
 * `ERR_COMPRESSION_FAILED`) that says how to build it.
 */
export class LzoCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  /** `'lzo'` or `'lzo-rle'`. */
  readonly name: LzoAlgorithm
  readonly capabilities: LzoCapabilities
  readonly #codec: LzoCodec

  constructor(options: LzoOptions = {}) {
    const { checksum = true, algorithm = 'lzo' } = options
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    if (!ALGORITHMS.includes(algorithm)) throw invalidOption(PKG, 'algorithm', "'lzo' or 'lzo-rle'")
    this.#codec = codecFor(checksum, algorithm)
    this.name = algorithm
    const stream = algorithm === 'lzo' ? 'lzo1x' : 'lzo-rle'
    this.capabilities = Object.freeze({
      format: checksum ? `${stream}+crc32` : stream,
      checksum,
      backend: this.#codec.backend,
      algorithm,
    })
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.compress(src, dst)
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.decompress(src, dst)
  }
}
