import { createRequire } from 'node:module'
import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  CorruptDataError,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import type * as Binding from 'zstd-napi/binding.js'
import type { ZstdOptions } from './zstd-options.js'

const PKG = '@zswap/zstd'

let loaded: typeof Binding | undefined

/**
 * zstd-napi's native binding, loaded on the first `zstd()` rather than at
 * import: zstd-napi ships no binary in its package (its install script
 * downloads or compiles one), and where install scripts are blocked a
 * package that only imports this one (`@zswap/iaa`, `@zswap/by-n`) must
 * still load.
 * @throws CompressionFailedError (`ERR_COMPRESSION_FAILED`) when the binding does not load
 */
function zstdBinding(): typeof Binding {
  if (loaded !== undefined) return loaded
  try {
    loaded = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof Binding
  } catch (cause) {
    throw new CompressionFailedError(
      `[${PKG}] zstd-napi's native binding did not load (${(cause as Error).message.split('\n')[0]}): ` +
        'allow its install script (pnpm: allowBuilds zstd-napi; npm: without --ignore-scripts)',
      { cause },
    )
  }
  return loaded
}
// ZSTD_getErrorName(dstSize_tooSmall); the binding throws it as a plain Error.
const DST_TOO_SMALL = 'Destination buffer is too small'

/** Capabilities of the zstd driver; `checksum` says every frame carries a content checksum. */
export interface ZstdCapabilities extends CompressorCapabilities {
  readonly format: 'zstd'
  /** True when frames carry a content checksum that decompress verifies. */
  readonly checksum: boolean
}

/**
 * A zstd Compressor. One compression and one decompression context are
 * created up front and reused for every call; both write straight into the
 * caller's buffer.
 */
export class ZstdCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: ZstdCapabilities
  /** The level in effect (0 is resolved to zstd's default). */
  readonly level: number
  readonly #binding: typeof Binding
  #cctx: Binding.CCtx
  #dctx: Binding.DCtx
  #bound4k: number

  constructor(options: ZstdOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption(PKG, '', 'an object', 'type')
    const binding = zstdBinding()
    this.#binding = binding
    this.#bound4k = binding.compressBound(4096)
    const { level = 3, dictionary, checksum = true } = options
    const min = binding.minCLevel()
    const max = binding.maxCLevel()
    if (typeof level !== 'number' || !Number.isInteger(level) || level < min || level > max) {
      throw invalidOption(
        PKG,
        'level',
        `an integer in [${min}, ${max}]`,
        typeof level === 'number' ? 'range' : 'type',
      )
    }
    if (dictionary !== undefined && !(dictionary instanceof Uint8Array)) {
      throw invalidOption(PKG, 'dictionary', 'a Uint8Array', 'type')
    }
    if (dictionary !== undefined && dictionary.length === 0) {
      throw invalidOption(PKG, 'dictionary', 'non-empty when given')
    }
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    this.level = level === 0 ? binding.defaultCLevel() : level
    this.name = `zstd-${this.level}`
    this.capabilities = { format: 'zstd', checksum }

    this.#cctx = new binding.CCtx()
    this.#cctx.setParameter(binding.CParameter.compressionLevel, this.level)
    this.#cctx.setParameter(binding.CParameter.checksumFlag, checksum ? 1 : 0)
    // the content size in the header lets decompress reject a frame that does not match dst
    this.#cctx.setParameter(binding.CParameter.contentSizeFlag, 1)
    this.#dctx = new binding.DCtx()
    if (dictionary !== undefined) {
      // "sticky" dictionaries: loaded once, used by every later compress2/decompress
      try {
        this.#cctx.loadDictionary(dictionary)
        this.#dctx.loadDictionary(dictionary)
      } catch (cause) {
        throw Object.assign(invalidOption(PKG, 'dictionary', 'a zstd dictionary or raw content'), { cause })
      }
    }
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    try {
      return this.#cctx.compress2(dst, src)
    } catch (error) {
      // cheap check first: only a dst smaller than the worst case can be "too small"
      const bound = src.length === 4096 ? this.#bound4k : this.#binding.compressBound(src.length)
      if (dst.length < bound && (error as Error)?.message === DST_TOO_SMALL) return -1
      throw new CompressionFailedError(`[${PKG}] compress failed: ${(error as Error)?.message}`, {
        cause: error,
      })
    }
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    if (src.length === 0) throw new CorruptDataError(`[${PKG}] empty input is not a zstd frame`)
    let n: number
    let oneFrame: boolean
    try {
      n = this.#dctx.decompress(dst, src)
      // ZSTD_decompressDCtx accepts several concatenated frames; a block is exactly one
      const size = this.#binding.getFrameContentSize(src)
      oneFrame = size === null ? this.#binding.findFrameCompressedSize(src) === src.length : size === n
    } catch (error) {
      throw new CorruptDataError(`[${PKG}] corrupt or truncated zstd frame: ${(error as Error)?.message}`, {
        cause: error,
      })
    }
    if (!oneFrame) throw new CorruptDataError(`[${PKG}] input is not exactly one zstd frame`)
    return n
  }

  close(): void {
    // the native contexts are freed by their finalizers once unreferenced
    this.#cctx = undefined as unknown as Binding.CCtx
    this.#dctx = undefined as unknown as Binding.DCtx
  }
}
