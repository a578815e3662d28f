import type { SpecificationVersion } from './specification.js'

/** What a compressor can do, as data. */
export interface CompressorCapabilities {
  /**
   * Wire format of the compressed output, e.g. `'lz4-block'`, `'zstd'`,
   * `'deflate-raw'`. Two drivers with the same format decompress each
   * other's output.
   */
  readonly format: string
  /** Largest `src` that `compress` accepts, in bytes. Default: unlimited. */
  readonly maxInputSize?: number
  /**
   * True when the format carries a checksum, so `decompress` detects every
   * corruption (a bit flip anywhere) instead of only malformed input.
   * Default: false.
   */
  readonly checksum?: boolean
}

/**
 * A synchronous block compressor (kernel: crypto_comp). It writes into a
 * buffer the caller owns and never keeps references to `src` or `dst`.
 */
export interface Compressor {
  /** Contract version implemented: `'v1'`. */
  readonly specificationVersion: SpecificationVersion
  /** Short name including the level when it matters: `'lz4'`, `'zstd-3'`. */
  readonly name: string
  /** Capabilities; read once by callers. */
  readonly capabilities: CompressorCapabilities

  /**
   * Compresses all of `src` into `dst`.
   * @returns bytes written to `dst` (≥ 1), or `-1` when the output does not
   * fit in `dst.length` bytes — a normal result for incompressible data.
   * @throws CompressionFailedError only when the library itself fails.
   */
  compress(src: Uint8Array, dst: Uint8Array): number

  /**
   * Decompresses all of `src` (exactly one compressed block) into `dst`.
   * @returns bytes written to `dst` — the size that was compressed, which may
   * be less than `dst.length`.
   * @throws CorruptDataError when `src` is corrupt or truncated, or when the
   * output would not fit in `dst`; never writes a wrong page silently.
   */
  decompress(src: Uint8Array, dst: Uint8Array): number

  /** Releases native contexts. Optional; calls after it are undefined. */
  close?(): void
}
