import * as zlib from 'node:zlib'
import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { PKG } from './deflate-codec.js'
import { copyInflated, corruptStream, type DeflateEngine } from './deflate-engine.js'

const Z_FINISH = zlib.constants.Z_FINISH

/**
 * The native handle behind a Node zlib stream (`stream._handle`): one z_stream
 * that `writeSync` runs on caller buffers, the way `zlib.deflateRawSync`
 * drives it internally. `writeSync` leaves avail_out and avail_in in the
 * stream's `_writeState`; failures arrive through `onerror`.
 */
interface ZlibHandle {
  writeSync(
    flush: number,
    src: Uint8Array,
    srcOffset: number,
    srcLength: number,
    dst: Uint8Array,
    dstOffset: number,
    dstLength: number,
  ): void
  reset(): void
  close(): void
  onerror: (message: string, errno: number, code: string) => void
}

interface ZlibStreamInternals {
  _handle?: ZlibHandle
  _writeState?: Uint32Array
}

/** A reused z_stream, or undefined when this Node keeps its zlib internals elsewhere. */
function openHandle(stream: object): { handle: ZlibHandle; state: Uint32Array } | undefined {
  const { _handle: handle, _writeState: state } = stream as ZlibStreamInternals
  if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function') return undefined
  if (!(state instanceof Uint32Array) || state.length < 2) return undefined
  return { handle, state }
}

/**
 * Raw deflate on Node's zlib. One deflate and one inflate z_stream are
 * opened per engine and reset after every block (deflateReset/inflateReset:
 * no allocation, no re-init), and write straight into the caller's buffers.
 * Where the stream internals are missing, it falls back to
 * `deflateRawSync`/`inflateRawSync` (a new z_stream and one copy per call).
 */
export class ZlibEngine implements DeflateEngine {
  readonly #level: number
  readonly #deflater: ZlibHandle | undefined
  readonly #inflater: ZlibHandle | undefined
  readonly #dState: Uint32Array
  readonly #iState: Uint32Array
  /** One byte to learn whether a stream that filled its buffer has more to write. */
  readonly #probe = new Uint8Array(1)
  #error: string | undefined

  /**
   * @param level zlib level 0..9
   * @param reuseStreams false forces the public one-shot calls (tests run both paths)
   */
  constructor(level: number, reuseStreams = true) {
    this.#level = level
    const d = reuseStreams ? openHandle(zlib.createDeflateRaw({ level })) : undefined
    const i = d === undefined ? undefined : openHandle(zlib.createInflateRaw())
    const onerror = (message: string) => {
      // keep the handle open (the stream's own handler would destroy it): reset() reuses it
      this.#error = message
    }
    if (d !== undefined && i !== undefined) {
      d.handle.onerror = onerror
      i.handle.onerror = onerror
      this.#deflater = d.handle
      this.#inflater = i.handle
    } else {
      d?.handle.close()
    }
    this.#dState = d?.state ?? new Uint32Array(2)
    this.#iState = i?.state ?? new Uint32Array(2)
  }

  /** True when the engine runs on reused z_streams, false on the one-shot fallback. */
  get reusesStreams(): boolean {
    return this.#deflater !== undefined
  }

  deflate(src: Uint8Array, dst: Uint8Array, limit: number): number {
    const h = this.#deflater
    if (h === undefined) return this.#deflateFallback(src, dst, limit)
    if (limit === 0) return -1
    const state = this.#dState
    this.#error = undefined
    h.writeSync(Z_FINISH, src, 0, src.length, dst, 0, limit)
    let n = limit - state[0]
    // a full buffer: either the stream ended exactly there, or it has more to write
    if (this.#error === undefined && state[0] === 0) {
      const left = state[1]
      h.writeSync(Z_FINISH, src, src.length - left, left, this.#probe, 0, 1)
      if (state[0] === 0) n = -1
    }
    h.reset()
    if (this.#error !== undefined) {
      throw new CompressionFailedError(`[${PKG}] zlib deflate failed: ${this.#error}`)
    }
    return n
  }

  inflate(src: Uint8Array, length: number, dst: Uint8Array): number {
    const h = this.#inflater
    if (h === undefined) return this.#inflateFallback(src, length, dst)
    const state = this.#iState
    this.#error = undefined
    let n = 0
    let left = length
    if (dst.length > 0) {
      h.writeSync(Z_FINISH, src, 0, length, dst, 0, dst.length)
      n = dst.length - state[0]
      left = state[1]
    }
    // dst full (or empty): the stream must end without writing another byte
    if (this.#error === undefined && n === dst.length) {
      h.writeSync(Z_FINISH, src, length - left, left, this.#probe, 0, 1)
      if (this.#error === undefined && state[0] === 0)
        this.#error = `inflates to more than ${dst.length} bytes`
      left = state[1]
    }
    h.reset()
    if (this.#error !== undefined) {
      throw new CorruptDataError(`[${PKG}] corrupt or truncated deflate stream: ${this.#error}`)
    }
    // zlib stops at the final block: bytes after it are not part of this block
    if (left !== 0) throw new CorruptDataError(`[${PKG}] ${left} bytes follow the end of the deflate stream`)
    return n
  }

  close(): void {
    this.#deflater?.close()
    this.#inflater?.close()
  }

  #deflateFallback(src: Uint8Array, dst: Uint8Array, limit: number): number {
    let out: Uint8Array
    try {
      out = zlib.deflateRawSync(src, { level: this.#level })
    } catch (cause) {
      throw new CompressionFailedError(`[${PKG}] zlib deflate failed: ${(cause as Error)?.message}`, {
        cause,
      })
    }
    if (out.length > limit) return -1
    dst.set(out)
    return out.length
  }

  #inflateFallback(src: Uint8Array, length: number, dst: Uint8Array): number {
    let out: Uint8Array
    try {
      // one byte more than dst: filling it means the page does not fit
      out = zlib.inflateRawSync(src.subarray(0, length), { maxOutputLength: dst.length + 1 })
    } catch (cause) {
      throw corruptStream(cause)
    }
    return copyInflated(out, dst)
  }
}
