// Builds dist/native/kcheck-helper (the memory side of `zswap-harness kernel-check`) with the C
// compiler when there is one, with the system's zlib and liblzo2 when their headers are there
// (kernel-check's deflate and lzo object sizes). Never fails the build: without `cc` (or off
// Linux) kernel-check says the helper is missing and exits 2; everything else works.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'native', 'kcheck-helper')
const src = join(root, 'native', 'kcheck-helper.c')
const cc = process.env.CC || 'cc'
const LIBS = [
  { name: 'zlib', define: '-DHAVE_ZLIB', link: '-lz', use: 'deflate' },
  { name: 'liblzo2', define: '-DHAVE_LZO', link: '-llzo2', use: 'lzo' },
]

function compile(libs) {
  const args = [
    '-O2',
    '-Wall',
    '-Wextra',
    ...libs.map((l) => l.define),
    '-o',
    out,
    src,
    ...libs.map((l) => l.link),
  ]
  execFileSync(cc, args, { stdio: 'pipe' })
}

if (process.platform !== 'linux') {
  console.error('kcheck-helper: not built (kernel-check needs Linux)')
} else {
  mkdirSync(dirname(out), { recursive: true })
  // the largest set of libraries that compiles
  const sets = [LIBS, [LIBS[0]], [LIBS[1]], []]
  let built
  let lastError
  for (const libs of sets) {
    try {
      compile(libs)
      built = libs
      break
    } catch (error) {
      lastError = error
    }
  }
  if (built === undefined) {
    const message = String(lastError?.stderr || lastError?.message).split('\n')[0]
    console.error(`kcheck-helper: not built (${cc}: ${message}); kernel-check will say so`)
  } else {
    for (const l of LIBS.filter((l) => !built.includes(l))) {
      console.error(
        `kcheck-helper: built without ${l.name}: kernel-check takes ${l.use} sizes from elsewhere or says it cannot`,
      )
    }
  }
}
