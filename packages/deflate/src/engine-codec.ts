import { CorruptDataError, crc32 } from '@zswap/core'
import { CHECKSUM_BYTES, type DeflateCodec, PKG } from './deflate-codec.js'
import type { DeflateEngine } from './deflate-engine.js'
import type { DeflateEngineName } from './deflate-options.js'

/**
 * The block format around a raw-stream {@link DeflateEngine} (Node's zlib,
 * fflate): the engine writes and reads the stream, this adds and checks the
 * CRC-32 trailer (`@zswap/core`'s `crc32`, i.e. `zlib.crc32`).
 */
export class EngineCodec implements DeflateCodec {
  readonly engine: DeflateEngineName
  readonly #engine: DeflateEngine
  readonly #checksum: boolean
  readonly #trailer: number

  constructor(engine: DeflateEngineName, impl: DeflateEngine, checksum: boolean) {
    this.engine = engine
    this.#engine = impl
    this.#checksum = checksum
    this.#trailer = checksum ? CHECKSUM_BYTES : 0
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
