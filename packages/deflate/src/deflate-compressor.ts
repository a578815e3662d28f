import {
  type Compressor,
  type CompressorCapabilities,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { loadAddon, warnFallback } from './addon.js'
import { type DeflateCodec, PKG } from './deflate-codec.js'
import type { DeflateEngineName, DeflateOptions } from './deflate-options.js'
import { EngineCodec } from './engine-codec.js'
import { FflateEngine } from './fflate-engine.js'
import { LibdeflateCodec } from './libdeflate-codec.js'
import { ZlibEngine } from './zlib-engine.js'

const BUILD_HINT =
  'To build it from source: `apt-get install -y build-essential libdeflate-dev`, ' +
  'then `node node_modules/@zswap/deflate/scripts/build-addon.mjs`'

const ENGINES = ['auto', 'libdeflate', 'zlib', 'fflate'] as const

/** Capabilities of {@link DeflateCompressor}: the contract's plus `checksum` and `engine`. */
export interface DeflateCapabilities extends CompressorCapabilities {
  readonly format: 'deflate-raw+crc32' | 'deflate-raw'
  /** True when every block carries a CRC-32 of its page, verified on decompress. */
  readonly checksum: boolean
  /** The library doing the work: `'libdeflate'` (this package's addon), `'zlib'` or `'fflate'`. */
  readonly engine: DeflateEngineName
}

/** Picks and builds the codec for the options; throws when `'libdeflate'` is asked for and missing. */
function codecFor(
  engine: 'auto' | DeflateEngineName,
  level: number,
  checksum: boolean,
  mem: number | undefined,
): DeflateCodec {
  if (engine === 'fflate') return new EngineCodec('fflate', new FflateEngine(level, mem), checksum)
  if (engine === 'zlib') return new EngineCodec('zlib', new ZlibEngine(level), checksum)
  const { addon, error } = loadAddon()
  if (addon !== undefined) return new LibdeflateCodec(addon, level, checksum)
  if (engine === 'auto') {
    warnFallback(
      PKG,
      'ZSWAP_DEFLATE_FALLBACK',
      `the libdeflate addon did not load, running on Node's zlib (slower). ${BUILD_HINT}`,
    )
    return new EngineCodec('zlib', new ZlibEngine(level), checksum)
  }
  const wrong = invalidOption(
    PKG,
    'engine',
    `'auto', 'zlib' or 'fflate' on this machine: the libdeflate addon did not load (${error.message.split('\n')[0]}). ${BUILD_HINT}`,
  )
  Object.defineProperty(wrong, 'cause', { value: error, enumerable: false })
  throw wrong
}

/**
 * A raw-deflate (RFC 1951, no zlib or gzip wrapper) Compressor, on
 * libdeflate, Node's zlib or fflate.
 *
 * Wire format, the same on every engine: `raw deflate stream ‖ u32le
 * CRC-32(uncompressed bytes)` (`'deflate-raw+crc32'`, the default), or the
 * bare stream (`'deflate-raw'`, `checksum: false`). Raw deflate is what Intel
 * IAA's compression engine emits and accepts, and the CRC-32 of the
 * uncompressed data is what IAA reports in its completion record; the IAA
 * emulation in `@zswap/iaa` writes and reads the same two formats.
 * `capabilities.engine` says which library runs.
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
  /** The library in use (`capabilities.engine`). */
  readonly engine: DeflateEngineName
  readonly #codec: DeflateCodec

  constructor(options: DeflateOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption(PKG, '', 'an object', 'type')
    const { level = 6, engine = 'auto', checksum = true, mem } = options
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 9) {
      throw invalidOption(PKG, 'level', 'an integer in [0, 9]', typeof level === 'number' ? 'range' : 'type')
    }
    if (!(ENGINES as readonly unknown[]).includes(engine)) {
      throw invalidOption(
        PKG,
        'engine',
        ENGINES.map((e) => `'${e}'`).join(', '),
        typeof engine === 'string' ? 'range' : 'type',
      )
    }
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    if (mem !== undefined && (typeof mem !== 'number' || !Number.isInteger(mem) || mem < 0 || mem > 12)) {
      throw invalidOption(PKG, 'mem', 'an integer in [0, 12]', typeof mem === 'number' ? 'range' : 'type')
    }
    if (mem !== undefined && engine !== 'fflate') {
      throw invalidOption(PKG, 'mem', "used only with engine 'fflate'", 'type')
    }
    this.#codec = codecFor(engine, level, checksum, mem)
    this.level = level
    this.engine = this.#codec.engine
    this.name = this.engine === 'fflate' ? `deflate-${level}-fflate` : `deflate-${level}`
    this.capabilities = Object.freeze({
      format: checksum ? 'deflate-raw+crc32' : 'deflate-raw',
      checksum,
      engine: this.engine,
    })
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.compress(src, dst)
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.decompress(src, dst)
  }

  close(): void {
    this.#codec.close()
  }
}
