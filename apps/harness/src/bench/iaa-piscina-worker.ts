// piscina task for `bench iaa`: compress one page, as the IAA engines do
// (the device's fixed-mode deflate writer, or lz4-napi), and return the compressed bytes.
import { ModeCodec } from '@zswap/iaa'
import { compressSync } from 'lz4-napi'

// one codec per worker thread, as each IAA engine keeps one
let codec: ModeCodec | undefined
const dst = new Uint8Array(2 * 4096)

export interface PiscinaPageTask {
  page: Uint8Array
  algorithm: 'deflate' | 'lz4'
  level: number
}

/** `level` is kept in the task for the record; the device's deflate has no levels. */
export default function compressPage({ page, algorithm }: PiscinaPageTask): Uint8Array {
  if (algorithm === 'lz4') return compressSync(Buffer.from(page.buffer, page.byteOffset, page.length))
  codec ??= new ModeCodec('fixed')
  const n = codec.compress(page, dst)
  return dst.slice(0, Math.max(n, 0))
}
