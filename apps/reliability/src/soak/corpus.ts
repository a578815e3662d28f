import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidArgumentError, PAGE_SIZE } from '@zswap/core'
import { isCorpusFile, readCorpus, readSample } from 'zswap-harness'

/** Pages the soak cycles through, and where they came from. */
export interface SoakCorpus {
  readonly name: string
  readonly pages: number
  readonly data: Uint8Array
}

/**
 * The soak's page source: a corpus file, or every `*.pages[.zst]` in a
 * directory (concatenated), given by `--corpus` or `ZSWAP_CORPUS`; else the
 * sample bundled with the harness. Read through the harness's corpus reader.
 * @throws InvalidArgumentError when the path cannot be read or holds no corpus.
 */
export function loadSoakCorpus(path: string | undefined = process.env.ZSWAP_CORPUS || undefined): SoakCorpus {
  if (path === undefined) {
    const sample = readSample()
    return { name: `bundled sample (${sample.path})`, pages: sample.pages, data: sample.data }
  }
  let isDirectory: boolean
  try {
    isDirectory = statSync(path).isDirectory()
  } catch (error) {
    throw new InvalidArgumentError(
      `[zswap-reliability] cannot read corpus ${path}: ${(error as Error).message}`,
    )
  }
  const files = isDirectory
    ? readdirSync(path)
        .filter(isCorpusFile)
        .sort()
        .map((f) => join(path, f))
    : [path]
  if (files.length === 0)
    throw new InvalidArgumentError(`[zswap-reliability] no *.pages or *.pages.zst file in ${path}`)
  const parts = files.map((f) => readCorpus(f))
  const total = parts.reduce((n, c) => n + c.data.length, 0)
  const data = new Uint8Array(total)
  let at = 0
  for (const c of parts) {
    data.set(c.data, at)
    at += c.data.length
  }
  return { name: parts.map((c) => c.name).join('+'), pages: total / PAGE_SIZE, data }
}

/** Writes soak page `index` into `dst`: corpus page `index mod pages`, stamped with the index so no two pages are equal. */
export function soakPage(corpus: SoakCorpus, index: number, dst: Uint8Array): void {
  const src = (index % corpus.pages) * PAGE_SIZE
  dst.set(corpus.data.subarray(src, src + PAGE_SIZE))
  const round = Math.floor(index / corpus.pages)
  // the index at the start and in the middle; the round in a spot that moves with it
  dst[0] ^= index & 0xff
  dst[1] ^= (index >>> 8) & 0xff
  dst[2] ^= (index >>> 16) & 0xff
  dst[2048] ^= (index >>> 24) & 0xff
  dst[2049] ^= round & 0xff
  dst[1024 + (round % 1024)] ^= 0xa5
}
