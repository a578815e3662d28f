// Builds dist/native/kcheck-helper (the memory side of `zswap-harness kernel-check`) with the C
// compiler when there is one. Never fails the build: without `cc` (or off Linux) kernel-check says
// the helper is missing and exits 2; everything else works.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'native', 'kcheck-helper')
const cc = process.env.CC || 'cc'
if (process.platform !== 'linux') {
  console.error('kcheck-helper: not built (kernel-check needs Linux)')
} else {
  try {
    mkdirSync(dirname(out), { recursive: true })
    const src = join(root, 'native', 'kcheck-helper.c')
    try {
      // with the system zlib: kernel-check's deflate sizes (canonical zlib, as the kernel's)
      execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-DHAVE_ZLIB', '-o', out, src, '-lz'], { stdio: 'pipe' })
    } catch {
      console.error(
        'kcheck-helper: built without zlib (no zlib.h): kernel-check --compressor deflate will say so',
      )
      execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', out, src], {
        stdio: ['ignore', 'inherit', 'inherit'],
      })
    }
  } catch (error) {
    console.error(
      `kcheck-helper: not built (${cc}: ${error.message.split('\n')[0]}); kernel-check will say so`,
    )
  }
}
