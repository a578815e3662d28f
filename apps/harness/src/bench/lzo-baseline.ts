import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Compressor } from '@zswap/core'
import { cpuPass, LZOP_BLOCK_BYTES, lzopBaseline, slots } from './native-cli.js'

/**
 * The lzo side of `bench compressors`: the liblzo2 addon called without the
 * driver ("raw"), and the driver against `lzop` on lzop's own 256 KiB blocks
 * (lzop cannot compress 4 KiB blocks, so the comparison with it is made at
 * its block size; the per-page figures of the lzo row are the driver's).
 */

/** The addon's functions the driver calls, by file, so the bench can call them directly. */
interface LzoAddonFns {
  compressChecksum(src: Uint8Array, dst: Uint8Array): number
  decompressChecksum(src: Uint8Array, dst: Uint8Array): number
}

/**
 * The driver's own addon (`@zswap/lzo`'s build/Release/zswap_lzo.node), with
 * the default options' work (CRC-32 trailer on): the driver's cost on top of
 * it is `driverVsRaw`.
 */
export function lzoRaw(): {
  name: string
  compress(src: Uint8Array, dst: Uint8Array): number
  decompress(src: Uint8Array, dst: Uint8Array): number
} {
  const require = createRequire(import.meta.url)
  const root = dirname(require.resolve('@zswap/lzo/package.json'))
  const addon = require(join(root, 'build', 'Release', 'zswap_lzo.node')) as LzoAddonFns
  return {
    name: 'liblzo2 addon (raw)',
    compress: addon.compressChecksum,
    decompress: addon.decompressChecksum,
  }
}

/**
 * One run of the driver against `lzop -1 -F` on the same file, both in CPU
 * time: lzop from outside (see {@link lzopBaseline}), the driver over the
 * same 256 KiB blocks for about 0.5 s of CPU each way. Undefined without lzop.
 */
export function lzoVsLzop(
  driver: Compressor,
  data: Uint8Array,
  file: string,
  tmp: string,
): { lzop: { ratio: number; c: number; d: number }; driver: { c: number; d: number } } | undefined {
  const lzop = lzopBaseline(file, data.length, tmp)
  if (lzop === undefined) return undefined
  const blocks: Uint8Array[] = []
  for (let at = 0; at < data.length; at += LZOP_BLOCK_BYTES)
    blocks.push(data.subarray(at, at + LZOP_BLOCK_BYTES))
  const mine = cpuPass(driver, blocks, slots(blocks.length, LZOP_BLOCK_BYTES), 500)
  return { lzop, driver: mine }
}
