import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { deflateSync, type DeflateOptions as FflateDeflateOptions, inflateSync } from 'fflate'
import { PKG } from './deflate-codec.js'
import { copyInflated, corruptStream, type DeflateEngine } from './deflate-engine.js'

/**
 * Raw deflate on fflate (pure JavaScript). fflate cannot compress into a
 * caller's buffer (one copy per block) and silently drops bytes past the end
 * of a caller's output buffer, so it inflates into a reused scratch buffer one
 * byte longer than `dst` and copies once. It also skips the LEN/NLEN check of
 * stored blocks and ignores bytes after the final block; the first stored
 * block's lengths are checked here.
 */
export class FflateEngine implements DeflateEngine {
  readonly #options: FflateDeflateOptions
  // one object reused for every inflateSync call, pointing at the scratch buffer
  readonly #inflateOptions = { out: new Uint8Array(4097) }

  constructor(level: number, mem: number | undefined) {
    this.#options = { level: level as FflateDeflateOptions['level'] }
    if (mem !== undefined) this.#options.mem = mem as FflateDeflateOptions['mem']
  }

  deflate(src: Uint8Array, dst: Uint8Array, limit: number): number {
    let out: Uint8Array
    try {
      out = deflateSync(src, this.#options)
    } catch (cause) {
      throw new CompressionFailedError(`[${PKG}] fflate deflate failed: ${(cause as Error)?.message}`, {
        cause,
      })
    }
    if (out.length > limit) return -1
    dst.set(out)
    return out.length
  }

  inflate(src: Uint8Array, length: number, dst: Uint8Array): number {
    // first block stored (BTYPE 00): LEN must be the one's complement of NLEN
    if (
      (src[0] & 6) === 0 &&
      length >= 5 &&
      (src[1] | (src[2] << 8)) !== (~(src[3] | (src[4] << 8)) & 0xffff)
    ) {
      throw new CorruptDataError(`[${PKG}] stored block length check failed`)
    }
    const opts = this.#inflateOptions
    if (opts.out.length !== dst.length + 1) opts.out = new Uint8Array(dst.length + 1)
    let out: Uint8Array
    try {
      out = inflateSync(length === src.length ? src : src.subarray(0, length), opts)
    } catch (cause) {
      throw corruptStream(cause)
    }
    return copyInflated(out, dst)
  }

  close(): void {}
}
