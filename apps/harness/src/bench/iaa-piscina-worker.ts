// piscina task for `bench iaa`: compress one page, as the IAA engines do
// (@zswap/deflate's default driver, or lz4-napi), and return the compressed bytes.
import { type DeflateCompressor, deflate } from '@zswap/deflate'
import { compressSync } from 'lz4-napi'

// one driver per level and worker thread, as each IAA engine keeps one
const drivers = new Map<number, DeflateCompressor>()
const dst = new Uint8Array(2 * 4096)

export interface PiscinaPageTask {
  page: Uint8Array
  algorithm: 'deflate' | 'lz4'
  level: number
}

export default function compressPage({ page, algorithm, level }: PiscinaPageTask): Uint8Array {
  if (algorithm === 'lz4') return compressSync(Buffer.from(page.buffer, page.byteOffset, page.length))
  let driver = drivers.get(level)
  if (driver === undefined) drivers.set(level, (driver = deflate({ level })))
  const n = driver.compress(page, dst)
  return dst.slice(0, Math.max(n, 0))
}
