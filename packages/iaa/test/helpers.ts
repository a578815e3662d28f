import type { CompressJob, DecompressJob } from '@zswap/core'
import { inflateSync } from 'fflate'

export const PAGE = 4096

/** Deterministic pseudo-random bytes (xorshift32). */
export function randomBytes(seed: number, length = PAGE): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed | 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

/** A page that compresses: short runs drawn from a small alphabet. */
export function compressiblePage(seed: number, length = PAGE): Uint8Array {
  const noise = randomBytes(seed, length)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = i % 64 < 48 ? 97 + (noise[i >> 3] % 6) : noise[i]
  return out
}

export function compressJob(src: Uint8Array, dstLength = PAGE): CompressJob {
  return { src, dst: new Uint8Array(dstLength), length: 0, error: undefined }
}

export function decompressJob(src: Uint8Array, dstLength = PAGE): DecompressJob {
  return { src, dst: new Uint8Array(dstLength), length: 0, error: undefined }
}

/** A job whose `length` counts how often it is set: a job completed twice shows 2. */
export function countingJob(src: Uint8Array, dstLength = PAGE): CompressJob & { sets: number } {
  let length = 0
  return {
    src,
    dst: new Uint8Array(dstLength),
    error: undefined,
    sets: 0,
    get length() {
      return length
    },
    set length(value: number) {
      length = value
      this.sets++
    },
  }
}

/** Decodes a raw-deflate block made by the device with fflate (an independent decoder). */
export function inflateRaw(block: Uint8Array, size = PAGE): Uint8Array {
  return inflateSync(block, { out: new Uint8Array(size) })
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A clock that stands still (the `now` option): no job ever times out, however busy the
 * machine. For tests that count exactly where each job ran.
 */
export const STILL = { now: () => 0 } as const

/** Generous bound on waiting for an event: only a hang takes this long. */
export const BUDGET_MS = 30_000

/**
 * Waits until `condition()` holds, checking every few ms (an event, not a duration); fails
 * with `what` only when it has not happened within {@link BUDGET_MS}.
 */
export async function until(condition: () => boolean, what: string, budgetMs = BUDGET_MS): Promise<void> {
  const start = performance.now()
  while (!condition()) {
    if (performance.now() - start > budgetMs) throw new Error(`not within ${budgetMs} ms: ${what}`)
    await sleep(5)
  }
}

/** Settles with the promise's outcome, or fails with `what` if it has not settled within {@link BUDGET_MS}. */
export function within<T>(promise: Promise<T>, what: string, budgetMs = BUDGET_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${budgetMs} ms: ${what}`)), budgetMs)
  })
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer))
}
