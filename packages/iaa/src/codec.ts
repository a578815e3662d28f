import type { Compressor } from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import { zstd } from '@zswap/zstd'
import { RESULT } from './layout.js'
import { ModeCodec } from './modes/mode-codec.js'
import type { CompressionMode } from './modes/mode-encoder.js'

/** Algorithms an emulated device can run. */
export type IaaAlgorithm = 'deflate' | 'lz4' | 'zstd' | 'noop'

/**
 * The software codec an engine runs, and the submitter's software fallback.
 * Results are codes, not exceptions, so an engine never throws across a job:
 * compress → bytes, RESULT.DOES_NOT_FIT or RESULT.FAILED;
 * decompress → bytes, or RESULT.CORRUPT (also when the output exceeds dst).
 */
export interface Codec {
  compress(src: Uint8Array, dst: Uint8Array): number
  decompress(src: Uint8Array, dst: Uint8Array): number
}

/**
 * Wire format of deflate in each compression mode, as in CompressorCapabilities.format, named
 * after iaa_crypto's algorithms (`deflate-iaa`, `deflate-iaa-canned`, `deflate-iaa-dynamic`):
 * raw deflate with at most 4096 bytes of history, then the CRC-32 of the page (what IAA
 * reports in its completion record). Which device reads what ({@link DEFLATE_READS}):
 * - fixed and dynamic blocks are standard raw deflate: every inflater reads them, so
 *   `@zswap/deflate` (format `deflate-raw+crc32`) loads them;
 * - a fixed or dynamic device reads fixed, dynamic and any `deflate-raw+crc32` block (iaa_crypto
 *   falls back to software inflate for what the hardware refuses, e.g. a 32 KiB window);
 * - a canned block has no header: only a canned device reads it, and a canned device reads
 *   nothing else.
 */
export const DEFLATE_FORMATS: Record<CompressionMode, string> = {
  fixed: 'deflate-iaa+crc32',
  canned: 'deflate-iaa-canned+crc32',
  dynamic: 'deflate-iaa-dynamic+crc32',
}

/** The formats a deflate device of each mode decompresses (see {@link DEFLATE_FORMATS}). */
export const DEFLATE_READS: Record<CompressionMode, readonly string[]> = {
  fixed: ['deflate-iaa+crc32', 'deflate-iaa-dynamic+crc32', 'deflate-raw+crc32'],
  canned: ['deflate-iaa-canned+crc32'],
  dynamic: ['deflate-iaa+crc32', 'deflate-iaa-dynamic+crc32', 'deflate-raw+crc32'],
}

/**
 * Wire format of each algorithm, as in CompressorCapabilities.format: deflate
 * in the default mode (`'fixed'`, see {@link DEFLATE_FORMATS}), the default formats of
 * `@zswap/lz4` and `@zswap/zstd`, whose drivers the engines run, so a block
 * made on the device loads in software and back. Each carries a checksum:
 * deflate the CRC-32 of the page, lz4 a CRC-32 of the block, zstd its content
 * checksum; a corrupted block is never a wrong page.
 */
export const FORMATS: Record<IaaAlgorithm, string> = {
  deflate: DEFLATE_FORMATS.fixed,
  lz4: 'lz4-block+size+crc32',
  zstd: 'zstd',
  noop: 'raw',
}

/** The format of a device running `algorithm` in `compressionMode` (the mode matters for deflate only). */
export function formatOf(algorithm: IaaAlgorithm, compressionMode: CompressionMode): string {
  return algorithm === 'deflate' ? DEFLATE_FORMATS[compressionMode] : FORMATS[algorithm]
}

/**
 * The codec of `algorithm`: for deflate the device's writer in `compressionMode`
 * ({@link ModeCodec}: one block, 4 KiB history; `level` does not apply), otherwise the driver
 * package of that format with its defaults, its exceptions turned into result codes.
 * @param checksum false gives the formats without a checksum (deflate: the bare stream)
 */
export function createCodec(
  algorithm: IaaAlgorithm,
  level: number,
  checksum = true,
  compressionMode: CompressionMode = 'fixed',
): Codec {
  if (algorithm === 'deflate') return new ModeCodec(compressionMode, checksum)
  return algorithm === 'noop' ? noopCodec : driverCodec(driver(algorithm, level, checksum))
}

function driver(algorithm: 'lz4' | 'zstd', level: number, checksum: boolean): Compressor {
  switch (algorithm) {
    case 'lz4':
      return lz4({ checksum })
    case 'zstd':
      return zstd({ level, checksum })
  }
}

function driverCodec(c: Compressor): Codec {
  return {
    compress(src, dst) {
      try {
        const n = c.compress(src, dst)
        return n < 0 ? RESULT.DOES_NOT_FIT : n
      } catch {
        return RESULT.FAILED
      }
    },
    decompress(src, dst) {
      try {
        return c.decompress(src, dst)
      } catch {
        // every driver throws CorruptDataError for bad input, also an empty block
        return RESULT.CORRUPT
      }
    },
  }
}

const noopCodec: Codec = {
  compress(src, dst) {
    if (src.length > dst.length) return RESULT.DOES_NOT_FIT
    dst.set(src)
    return src.length
  },
  decompress(src, dst) {
    if (src.length === 0 || src.length > dst.length) return RESULT.CORRUPT
    dst.set(src)
    return src.length
  },
}
