import { spawn } from 'node:child_process'
import { PAGE_SIZE } from '@zswap/core'

/**
 * crypto/deflate.c's parameters: zlib_deflateInit2(Z_DEFAULT_COMPRESSION
 * (level 6), Z_DEFLATED, -DEFLATE_DEF_WINBITS (raw deflate, 2 KiB window),
 * DEFLATE_DEF_MEMLEVEL (the kernel zlib's MAX_MEM_LEVEL, 8), Z_DEFAULT_STRATEGY).
 */
export const KERNEL_DEFLATE = { level: 6, windowBits: 11, memLevel: 8 } as const

/** Compressors whose kernel object sizes the helper computes natively. */
export const HELPER_SIZE_COMPRESSORS = ['deflate', 'lzo'] as const

/** What the helper runs for each, as the README and the report say it. */
export const HELPER_SIZE_SOURCES: Record<(typeof HELPER_SIZE_COMPRESSORS)[number], string> = {
  deflate: `system zlib, raw deflate level ${KERNEL_DEFLATE.level}, windowBits ${KERNEL_DEFLATE.windowBits}, memLevel ${KERNEL_DEFLATE.memLevel}`,
  lzo: 'liblzo2 lzo1x_1_15 (LZO1X-1, 15-bit dictionary)',
}

/**
 * The kernel's compressed size of every page, computed by the native helper
 * (`kcheck-helper deflate-sizes` / `lzo-sizes`):
 * - deflate: the system's zlib with {@link KERNEL_DEFLATE}. The kernel's
 *   lib/zlib_deflate is canonical zlib's algorithm, and canonical zlib
 *   (1.2.13 here) with the kernel's parameters gives the kernel's pool to the
 *   byte on the shared corpora. Node's zlib and pako (a port of zlib 1.2.8)
 *   agree with each other but not with it: blocks differ by a few bytes, pools
 *   by 1–2.3 %.
 * - lzo: liblzo2's LZO1X-1 with a 15-bit dictionary, the variant whose sizes
 *   give the kernel's pool to the byte (plain lzo1x_1, 14 bits, is 0.04–0.9 %
 *   smaller).
 * @throws Error when the helper fails (e.g. built without the library)
 */
export function helperSizes(
  helper: string,
  compressor: (typeof HELPER_SIZE_COMPRESSORS)[number],
  data: Uint8Array,
): Promise<Int32Array> {
  const pages = data.length / PAGE_SIZE
  const { level, windowBits, memLevel } = KERNEL_DEFLATE
  const args =
    compressor === 'deflate'
      ? ['deflate-sizes', String(pages), String(level), String(windowBits), String(memLevel)]
      : ['lzo-sizes', String(pages)]
  return new Promise((resolve, reject) => {
    const child = spawn(helper, args)
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.stdin.on('error', () => {})
    child.on('error', reject)
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l !== '')
      if (code !== 0 || lines.length !== pages) {
        reject(new Error(`kcheck-helper ${args[0]} exited ${code}: ${err.trim() || `${lines.length} sizes`}`))
        return
      }
      resolve(Int32Array.from(lines, Number))
    })
    child.stdin.end(data)
  })
}
