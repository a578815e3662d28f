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
