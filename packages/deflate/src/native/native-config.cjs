// Prints what binding.gyp links, probing the C compiler's own search paths:
//   libdeflate -> `-l:libdeflate.a` when the static library is there (hidden inside the
//                 addon, no run-time dependency), else `-ldeflate` (libdeflate.so)
//   static     -> 1 or 0, matching the line above
const { execFileSync } = require('node:child_process')
const { existsSync } = require('node:fs')

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

const what = process.argv[2]
const staticLib = library('libdeflate.a') !== undefined
if (what === 'libdeflate') process.stdout.write(staticLib ? '-l:libdeflate.a' : '-ldeflate')
else if (what === 'static') process.stdout.write(staticLib ? '1' : '0')
else {
  process.stderr.write('usage: native-config.cjs libdeflate|static\n')
  process.exit(2)
}
