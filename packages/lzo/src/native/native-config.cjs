// Prints what binding.gyp links, probing the C compiler's own search paths:
//   lzo    -> `-l:liblzo2.a` when the static library is there (Debian's liblzo2-dev ships
//             it: the addon then needs nothing at run time), else `-llzo2` (liblzo2.so)
//   static -> 1 or 0, matching the line above
//   libdeflate -> 1 when libdeflate-dev's header and static library are there: the CRC-32
//             then comes from libdeflate_crc32 (linked in, about 3x zlib's), else zlib's
//   isal   -> 1 on Linux: the addon looks for ISA-L (libisal.so.2) at run time, whose
//             CRC-32 kernel is about 10x zlib's; nothing is needed to build it.
// Set ZSWAP_LZO_ISAL=0 to build without the ISA-L look-up.
const { execFileSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cc = process.env.CC || 'cc'

/** Full path of a library file the compiler would find, or undefined. */
function library(name) {
  try {
    const path = execFileSync(cc, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim()
    return path !== name && existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

function header(name) {
  const dirs = ['/usr/local/include', '/usr/include']
  for (const v of [process.env.CPATH, process.env.C_INCLUDE_PATH]) if (v) dirs.unshift(...v.split(':'))
  return dirs.some((d) => d && existsSync(join(d, name)))
}

const what = process.argv[2]
const staticLzo = library('liblzo2.a') !== undefined
if (what === 'lzo') process.stdout.write(staticLzo ? '-l:liblzo2.a' : '-llzo2')
else if (what === 'static') process.stdout.write(staticLzo ? '1' : '0')
else if (what === 'libdeflate') {
  process.stdout.write(header('libdeflate.h') && library('libdeflate.a') !== undefined ? '1' : '0')
} else if (what === 'isal') {
  process.stdout.write(process.platform === 'linux' && process.env.ZSWAP_LZO_ISAL !== '0' ? '1' : '0')
} else {
  process.stderr.write('usage: native-config.cjs lzo|static|libdeflate|isal\n')
  process.exit(2)
}
