// piscina task for `bench iaa`: compress one page, as the IAA engines do
// (fflate raw deflate, or lz4-napi), and return the compressed bytes.
import { deflateSync } from 'fflate'
import { compressSync } from 'lz4-napi'

export interface PiscinaPageTask {
  page: Uint8Array
  algorithm: 'deflate' | 'lz4'
  level: number
}

export default function compressPage({ page, algorithm, level }: PiscinaPageTask): Uint8Array {
  if (algorithm === 'lz4') return compressSync(Buffer.from(page.buffer, page.byteOffset, page.length))
  return deflateSync(page, { level: level as 1, mem: 0 })
}
