import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError, PAGE_SIZE } from '@zswap/core'
import { DecompressStream, decompress } from 'zstd-napi'

/** A page corpus held in memory: `pages` × 4096 bytes, page i at byte i × 4096. */
export interface Corpus {
  /** File name without the `.pages[.zst]` suffix, e.g. `'redis-mixed'`. */
  readonly name: string
  /** Where it was read from. */
  readonly path: string
  /** Number of 4096-byte pages. */
  readonly pages: number
  /** The uncompressed pages, `pages * PAGE_SIZE` bytes. */
  readonly data: Uint8Array
}

const PKG = 'zswap-harness'

/**
 * Reads a page corpus: raw concatenated 4096-byte pages (`.pages`), or the
 * same compressed with zstd (`.pages.zst`, decompressed in memory).
 * @throws InvalidArgumentError when the file cannot be read or decompressed,
 * is empty, or its (uncompressed) size is not a multiple of 4096 bytes.
 */
export function readCorpus(path: string): Corpus {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (error) {
    throw new InvalidArgumentError(`[${PKG}] cannot read corpus ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  if (path.endsWith('.zst')) {
    try {
      bytes = decompress(bytes)
    } catch (error) {
      throw new InvalidArgumentError(
        `[${PKG}] corpus ${path} is not a valid zstd file: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }
  return corpusFromBytes(bytes, path)
}

/**
 * Pages read from one corpus file at most, by default (256 MiB): input such
 * as /dev/zero or a huge file is cut there instead of filling memory.
 */
export const DEFAULT_MAX_PAGES = 65536

/** A corpus read with {@link loadCorpus}. */
export interface LoadedCorpus extends Corpus {
  /** True when the file held more than `maxPages` pages and was cut. */
  readonly truncated: boolean
}

/**
 * Streams a page corpus (`.pages`, or `.pages.zst` decompressed on the fly),
 * reading at most `maxPages` pages: a larger input (or an endless one such as
 * /dev/zero) is cut there and flagged `truncated`.
 * @throws InvalidArgumentError when the file cannot be read or decompressed,
 * holds no page, or (when read whole) is not a multiple of 4096 bytes.
 */
export async function loadCorpus(path: string, maxPages = DEFAULT_MAX_PAGES): Promise<LoadedCorpus> {
  if (!Number.isInteger(maxPages) || maxPages < 1) {
    throw new InvalidArgumentError(`[${PKG}] maxPages must be a positive integer, got ${maxPages}`)
  }
  const cap = maxPages * PAGE_SIZE
  const chunks: Buffer[] = []
  let total = 0
  let truncated = false
  const file = createReadStream(path, { highWaterMark: 1 << 20 })
  const zst = path.endsWith('.zst')
  const stream = zst ? file.pipe(new DecompressStream()) : file
  if (zst) file.on('error', (error) => stream.destroy(error))
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const take = Math.min(chunk.length, cap - total)
      chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take))
      total += take
      if (total >= cap) {
        truncated = true
        break
      }
    }
  } catch (error) {
    const message = (error as Error).message
    throw new InvalidArgumentError(
      zst && (error as { code?: string }).code === undefined
        ? `[${PKG}] corpus ${path} is not a valid zstd file: ${message}`
        : `[${PKG}] cannot read corpus ${path}: ${message}`,
      { cause: error },
    )
  } finally {
    file.destroy()
    stream.destroy()
  }
  let bytes = new Uint8Array(Buffer.concat(chunks, total))
  if (truncated) bytes = bytes.subarray(0, Math.floor(total / PAGE_SIZE) * PAGE_SIZE)
  return { ...corpusFromBytes(bytes, path), truncated }
}

/**
 * Wraps uncompressed page bytes as a corpus.
 * @throws InvalidArgumentError when `bytes` is empty or not whole pages.
 */
export function corpusFromBytes(bytes: Uint8Array, path: string): Corpus {
  if (bytes.length === 0) {
    throw new InvalidArgumentError(`[${PKG}] corpus ${path} holds no pages (0 bytes)`)
  }
  if (bytes.length % PAGE_SIZE !== 0) {
    throw new InvalidArgumentError(
      `[${PKG}] corpus ${path} is ${bytes.length} bytes${path.endsWith('.zst') ? ' once decompressed' : ''}, ` +
        `not a multiple of the ${PAGE_SIZE}-byte page size (${Math.floor(bytes.length / PAGE_SIZE)} whole pages ` +
        `and ${bytes.length % PAGE_SIZE} bytes left over)`,
    )
  }
  return {
    name: basename(path)
      .replace(/\.zst$/, '')
      .replace(/\.pages$/, ''),
    path,
    pages: bytes.length / PAGE_SIZE,
    data: bytes,
  }
}

/** True for the file names a corpus can have: `*.pages` or `*.pages.zst`. */
export function isCorpusFile(name: string): boolean {
  return name.endsWith('.pages') || name.endsWith('.pages.zst')
}

let packageRoot: string | undefined

/**
 * The harness package directory (the one holding `data/`). Found by walking
 * up from this module, because bundled copies of it live at different depths
 * (dist/cli.js, dist/bench/cache.js, src/corpus.ts under vitest).
 */
export function harnessRoot(): string {
  if (packageRoot !== undefined) return packageRoot
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }
      if (name === PKG) return (packageRoot = dir)
    }
    const parent = dirname(dir)
    if (parent === dir) throw new InvalidArgumentError(`[${PKG}] cannot find the ${PKG} package directory`)
    dir = parent
  }
}

/** Path of the page sample shipped with the harness (`data/sample.pages.zst`). */
export function samplePath(): string {
  return join(harnessRoot(), 'data', 'sample.pages.zst')
}

/** Reads the bundled page sample (1536 pages: two 256-page windows of each shared corpus). */
export function readSample(): Corpus {
  return readCorpus(samplePath())
}
