import { invalidOption } from '@zswap/core'

const PKG = '@zswap/zstd'

/** Options of {@link trainDictionary}. */
export interface TrainDictionaryOptions {
  /** Dictionary size in bytes, 256..1 MiB. Default: 16 KiB. */
  size?: number
  /** Length of the segments copied into the dictionary, 16..1024 bytes. Default: 64. */
  segmentSize?: number
}

const D = 8 // d-mer length: the unit whose frequency is counted
const TABLE_BITS = 20
const TABLE_MASK = (1 << TABLE_BITS) - 1

function dmerHash(b: Uint8Array, i: number): number {
  const lo = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0
  const hi = (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24)) >>> 0
  return (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - TABLE_BITS)) & TABLE_MASK
}

/**
 * Builds a raw-content zstd dictionary from sample pages.
 *
 * zstd-napi does not expose ZDICT training, so this is a small version of
 * zstd's COVER algorithm: it counts in how many samples each 8-byte string
 * occurs, cuts the samples into as many "epochs" as the dictionary has
 * segments, and from each epoch copies the `segmentSize` bytes whose strings
 * are the most widely shared. Strings already taken score zero afterwards,
 * so content is not repeated. The best segments go last, closest to the
 * data, where zstd's offsets are cheapest. Runs of one repeated byte are
 * ignored: zstd encodes those well without help.
 *
 * Pass the result as `zstd({ dictionary })` to both sides.
 * @param samples pages (or any buffers) representative of what will be compressed
 * @returns the dictionary; shorter than `size` when the samples hold less shared content
 */
export function trainDictionary(
  samples: readonly Uint8Array[],
  options: TrainDictionaryOptions = {},
): Uint8Array {
  const { size = 16 * 1024, segmentSize = 64 } = options
  if (!Array.isArray(samples) || samples.some((s) => !(s instanceof Uint8Array))) {
    throw invalidOption(PKG, 'samples', 'an array of Uint8Array', 'type')
  }
  if (!Number.isInteger(size) || size < 256 || size > 1 << 20) {
    throw invalidOption(PKG, 'size', 'an integer in [256, 1048576]')
  }
  if (!Number.isInteger(segmentSize) || segmentSize < 16 || segmentSize > 1024) {
    throw invalidOption(PKG, 'segmentSize', 'an integer in [16, 1024]')
  }

  // document frequency of each d-mer bucket: in how many samples it occurs
  const freq = new Uint32Array(1 << TABLE_BITS)
  const seen = new Int32Array(1 << TABLE_BITS).fill(-1)
  let total = 0
  samples.forEach((s, k) => {
    total += s.length
    for (let i = 0; i + D <= s.length; i++) {
      if (isRun(s, i, D)) continue
      const h = dmerHash(s, i)
      if (seen[h] !== k) {
        seen[h] = k
        freq[h]++
      }
    }
  })

  const segments = Math.floor(size / segmentSize)
  const epochSize = Math.max(segmentSize, Math.floor(total / segments))
  const chosen: { score: number; sample: number; at: number }[] = []
  // walk the concatenation of the samples epoch by epoch
  let sample = 0
  let at = 0
  for (let e = 0; e < segments && sample < samples.length; e++) {
    let left = epochSize
    let best = { score: 0, sample: -1, at: 0 }
    while (left > 0 && sample < samples.length) {
      const s = samples[sample]
      const end = Math.min(s.length, at + left)
      for (let i = at; i < end && i + segmentSize <= s.length; i += D) {
        const score = segmentScore(s, i, segmentSize, freq)
        if (score > best.score) best = { score, sample, at: i }
      }
      left -= end - at
      at = end
      if (at >= s.length) {
        sample++
        at = 0
      }
    }
    if (best.sample < 0) continue
    chosen.push(best)
    // taken strings no longer count, so later segments bring new content
    const s = samples[best.sample]
    for (let i = best.at; i + D <= best.at + segmentSize; i++) freq[dmerHash(s, i)] = 0
  }

  chosen.sort((a, b) => a.score - b.score)
  const dict = new Uint8Array(chosen.length * segmentSize)
  chosen.forEach((c, k) => {
    dict.set(samples[c.sample].subarray(c.at, c.at + segmentSize), k * segmentSize)
  })
  return dict
}

function isRun(s: Uint8Array, i: number, n: number): boolean {
  const b = s[i]
  for (let j = 1; j < n; j++) if (s[i + j] !== b) return false
  return true
}

function segmentScore(s: Uint8Array, at: number, len: number, freq: Uint32Array): number {
  let score = 0
  for (let i = at; i + D <= at + len; i++) {
    if (isRun(s, i, D)) continue
    const f = freq[dmerHash(s, i)]
    if (f > 1) score += f // a string seen in one sample only is no help to others
  }
  return score
}
