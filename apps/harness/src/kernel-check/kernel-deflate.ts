import { spawn } from 'node:child_process'
import { PAGE_SIZE } from '@zswap/core'

/**
 * crypto/deflate.c's parameters: zlib_deflateInit2(Z_DEFAULT_COMPRESSION
 * (level 6), Z_DEFLATED, -DEFLATE_DEF_WINBITS (raw deflate, 2 KiB window),
 * DEFLATE_DEF_MEMLEVEL (the kernel zlib's MAX_MEM_LEVEL, 8), Z_DEFAULT_STRATEGY).
 */
export const KERNEL_DEFLATE = { level: 6, windowBits: 11, memLevel: 8 } as const

/**
 * The kernel's raw-deflate size of every page, from the system's zlib
 * through `kcheck-helper deflate-sizes`, with {@link KERNEL_DEFLATE}.
 *
 * Why the system's zlib: the kernel's lib/zlib_deflate is canonical zlib's
 * algorithm, and canonical zlib (1.2.13 here) with the kernel's parameters
 * gives the kernel's pool to the byte on the shared corpora. Node's zlib and
 * pako (a port of zlib 1.2.8) agree with each other but not with it: blocks
 * differ by a few bytes, pools by 1–2.3 %. libdeflate (the project's
 * @zswap/deflate) differs more.
 * @throws Error when the helper fails (e.g. built without zlib.h)
 */
export function kernelDeflateSizes(helper: string, data: Uint8Array): Promise<Int32Array> {
  const pages = data.length / PAGE_SIZE
  const { level, windowBits, memLevel } = KERNEL_DEFLATE
  return new Promise((resolve, reject) => {
    const child = spawn(helper, [
      'deflate-sizes',
      String(pages),
      String(level),
      String(windowBits),
      String(memLevel),
    ])
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.stdin.on('error', () => {})
    child.on('error', reject)
    child.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l !== '')
      if (code !== 0 || lines.length !== pages) {
        reject(
          new Error(`kcheck-helper deflate-sizes exited ${code}: ${err.trim() || `${lines.length} sizes`}`),
        )
        return
      }
      resolve(Int32Array.from(lines, Number))
    })
    child.stdin.end(data)
  })
}
