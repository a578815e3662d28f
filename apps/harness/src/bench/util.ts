import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError } from '@zswap/core'
import { type Corpus, isCorpusFile, readCorpus, readSample } from '../corpus.js'
import { median } from '../measure/median.js'

/** The measuring core's median, re-exported for bench modules. */
export { median } from '../measure/median.js'

/** Runs `fn` `runs` times (after `warmup` untimed calls) and returns the median duration in milliseconds. */
export async function timeMedian(
  fn: () => unknown | Promise<unknown>,
  runs: number,
  warmup = 1,
): Promise<number> {
  if (!Number.isInteger(runs) || runs < 1) {
    throw new InvalidArgumentError(`[zswap-harness] runs must be a positive integer, got ${runs}`)
  }
  for (let i = 0; i < warmup; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  return median(times)
}

/** Milliseconds taken by one call of `fn`. */
export async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return performance.now() - t0
}

/** The monorepo root: the nearest directory at or above `from` that holds pnpm-workspace.yaml. */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = resolve(from)
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** `../shared/corpus` relative to the repo root, or undefined outside the repo. */
export function defaultCorpusDir(): string | undefined {
  const root = findRepoRoot()
  return root === undefined ? undefined : join(root, '..', 'shared', 'corpus')
}

/** Options of {@link loadCorpora}. */
export interface LoadCorporaOptions {
  /** Directory of `*.pages` / `*.pages.zst` files. Default: {@link defaultCorpusDir}. */
  dir?: string
  /** Where to look when `dir` is not given. Default: {@link defaultCorpusDir}. */
  defaultDir?: string
  /** Use the bundled sample when the default directory is absent (default true; never for an explicit dir). */
  fallbackToSample?: boolean
}

/** The corpora a bench runs on, and where they came from. */
export interface LoadedCorpora {
  corpora: Corpus[]
  /** The directory read, or `'sample'` when the bundled sample was used. */
  source: string
}

/**
 * Reads every corpus file of a directory (sorted by name). When no `dir` is
 * given and the shared corpus directory is absent, falls back to the bundled sample.
 * @throws InvalidArgumentError when an explicit directory is missing or holds no corpus.
 */
export function loadCorpora(options: LoadCorporaOptions = {}): LoadedCorpora {
  const dir = options.dir ?? options.defaultDir ?? defaultCorpusDir()
  if (dir === undefined || !existsSync(dir)) {
    if (options.dir === undefined && options.fallbackToSample !== false) {
      return { corpora: [readSample()], source: 'sample' }
    }
    throw new InvalidArgumentError(`[zswap-harness] corpus directory ${dir ?? '(none)'} does not exist`)
  }
  const files = readdirSync(dir).filter(isCorpusFile).sort()
  if (files.length === 0) {
    throw new InvalidArgumentError(`[zswap-harness] no *.pages or *.pages.zst file in ${dir}`)
  }
  return { corpora: files.map((f) => readCorpus(join(dir, f))), source: dir }
}

/** Formats a number with fixed decimals for tables. */
export function fixed(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x)
}
