import {
  type Compressor,
  type CompressorCapabilities,
  CorruptDataError,
  crc32,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import type { DeflateEngine } from './deflate-engine.js'
import type { DeflateEngineName, DeflateOptions } from './deflate-options.js'
import { FflateEngine } from './fflate-engine.js'
import { ZlibEngine } from './zlib-engine.js'

const PKG = '@zswap/deflate'
/** Bytes of the CRC-32 trailer when `checksum` is on. */
const CHECKSUM_BYTES = 4

/** Capabilities of {@link DeflateCompressor}: the contract's plus `checksum`. */
export interface DeflateCapabilities extends CompressorCapabilities {
  readonly format: 'deflate-raw+crc32' | 'deflate-raw'
  /** True when every block carries a CRC-32 of its page, verified on decompress. */
  readonly checksum: boolean
}

/**
 * A raw-deflate (RFC 1951, no zlib or gzip wrapper) Compressor, on Node's
 * zlib or on fflate.
 *
 * Wire format: `raw deflate stream ‖ u32le CRC-32(uncompressed bytes)`
 * (`'deflate-raw+crc32'`, the default), or the bare stream
 * (`'deflate-raw'`, `checksum: false`). Raw deflate is what Intel IAA's
 * compression engine emits and accepts, and the CRC-32 of the uncompressed
 * data is what IAA reports in its completion record; the IAA emulation in
 * `@zswap/iaa` writes and reads the same two formats.
 *
 * Without the checksum, corruption is detected only structurally (invalid
 * codes, truncation, output longer than `dst`): a bit flip inside literal
 * data decodes to a wrong page of the right length.
 */
export class DeflateCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: DeflateCapabilities
  readonly level: number
  /** The library in use. */
  readonly engine: DeflateEngineName
  readonly #engine: DeflateEngine
  readonly #checksum: boolean
  readonly #trailer: number

  constructor(options: DeflateOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption(PKG, '', 'an object', 'type')
    const { level = 6, engine = 'zlib', checksum = true, mem } = options
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 9) {
      throw invalidOption(PKG, 'level', 'an integer in [0, 9]', typeof level === 'number' ? 'range' : 'type')
    }
    if (engine !== 'zlib' && engine !== 'fflate') {
      throw invalidOption(PKG, 'engine', "'zlib' or 'fflate'", typeof engine === 'string' ? 'range' : 'type')
    }
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    if (mem !== undefined && (typeof mem !== 'number' || !Number.isInteger(mem) || mem < 0 || mem > 12)) {
      throw invalidOption(PKG, 'mem', 'an integer in [0, 12]', typeof mem === 'number' ? 'range' : 'type')
    }
    if (mem !== undefined && engine !== 'fflate') {
      throw invalidOption(PKG, 'mem', "used only with engine 'fflate'", 'type')
    }
    this.level = level
    this.engine = engine
    this.name = engine === 'zlib' ? `deflate-${level}` : `deflate-${level}-fflate`
    this.#engine = engine === 'zlib' ? new ZlibEngine(level) : new FflateEngine(level, mem)
    this.#checksum = checksum
    this.#trailer = checksum ? CHECKSUM_BYTES : 0
    this.capabilities = Object.freeze({ format: checksum ? 'deflate-raw+crc32' : 'deflate-raw', checksum })
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    const limit = dst.length - this.#trailer
    if (limit <= 0) return -1
    const n = this.#engine.deflate(src, dst, limit)
    if (n < 0 || !this.#checksum) return n
    const h = crc32(src)
    dst[n] = h
    dst[n + 1] = h >>> 8
    dst[n + 2] = h >>> 16
    dst[n + 3] = h >>> 24
    return n + CHECKSUM_BYTES
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const length = src.length - this.#trailer
    if (length <= 0) {
      throw new CorruptDataError(`[${PKG}] a block of ${src.length} bytes holds no deflate stream`)
    }
    const n = this.#engine.inflate(src, length, dst)
    if (this.#checksum) {
      const stored =
        (src[length] | (src[length + 1] << 8) | (src[length + 2] << 16) | (src[length + 3] << 24)) >>> 0
      if (stored !== crc32(n === dst.length ? dst : dst.subarray(0, n))) {
        throw new CorruptDataError(`[${PKG}] CRC-32 mismatch: the block is corrupt`)
      }
    }
    return n
  }

  close(): void {
    this.#engine.close()
  }
}
