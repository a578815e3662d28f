#!/usr/bin/env node
// Makes the prebuilt Node-API addon that a native driver package ships:
// prebuilds/<platform>-<arch>/<package>.<libc>.node, made by prebuildify (node-gyp with
// --napi, stripped, tagged with the libc) and found at run time by node-gyp-build. Run
// from the package's directory (its `build` and `prepack` scripts do):
//
//   node ../../tooling/scripts/prebuild.mjs --needs lz4.h,liblz4.a,libdeflate.h,libdeflate.a
//     --apt liblz4-dev,libdeflate-dev   (named in the message when something is missing)
//     [--if-stale]   only when the binary is missing or older than a file in src/native
//                    (binding.gyp, the C sources, native-config.cjs)
//     [--require]    fail when it cannot be made (`prepack`; also whenever CI is set)
//
// --needs lists the headers (*.h, under /usr/include, /usr/local/include, CPATH) and
// libraries (lib*.a / lib*.so, as the C compiler finds them) the binary is made from: with
// one missing, the script says which and what to install, and exits 0 unless --require
// (a developer without the -dev packages still builds; the package then falls back).
// After the build it checks that the binary loads and needs no shared library beyond the
// C runtime (the C libraries must be linked in), and prints its size and newest glibc
// symbol version.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const args = process.argv.slice(2)
const flag = (name) => args.includes(name)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const root = process.cwd()
/** binding.gyp, its helper and the C sources: not at the package root, where pnpm would take
 * the package for one that must be built at install. */
const native = join(root, 'src', 'native')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const required = flag('--require') || Boolean(process.env.CI)
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`)
/** Shared libraries a prebuilt addon may need: the C runtime's, there on every glibc system. */
const RUNTIME_LIBS = /^(libc|libm|libdl|libpthread|librt)\.so\.\d+$|^ld-linux/

function fail(message) {
  process.stderr.write(`${pkg.name}: ${message}\n`)
  process.exit(required ? 1 : 0)
}

/** The prebuilt binaries for this platform, newest first. */
function binaries() {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.node'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
}

/** True when a binary exists and is newer than every file it is made from. */
function fresh() {
  const [binary] = binaries()
  if (binary === undefined) return false
  return statSync(binary).mtimeMs >= sourcesTime()
}

/** The newest modification time of the files the binary is made from. */
function sourcesTime() {
  return Math.max(
    ...readdirSync(native, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => statSync(join(native, e.name)).mtimeMs),
  )
}

// A source build (scripts/build-addon.mjs, or the install script of older versions) in
// build/Release is loaded before the prebuilt binary: drop it once it is older than the
// sources, so that a stale one never shadows a fresh prebuilt binary.
const local = join(root, 'build', 'Release')
if (existsSync(local)) {
  for (const f of readdirSync(local).filter((n) => n.endsWith('.node'))) {
    if (statSync(join(local, f)).mtimeMs < sourcesTime()) {
      rmSync(join(local, f))
      process.stdout.write(`${pkg.name}: removed the stale source build build/Release/${f}\n`)
    }
  }
}

if (flag('--if-stale') && fresh()) process.exit(0)

// What the binary is made from.
const cc = process.env.CC || 'cc'
const includeDirs = ['/usr/local/include', '/usr/include']
for (const v of [process.env.CPATH, process.env.C_INCLUDE_PATH]) if (v) includeDirs.unshift(...v.split(':'))
function found(name) {
  if (name.endsWith('.h')) return includeDirs.some((d) => d && existsSync(join(d, name)))
  try {
    const path = execFileSync(cc, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim()
    return path !== name && existsSync(path)
  } catch {
    return false
  }
}
const needs = (option('--needs') ?? '').split(',').filter(Boolean)
const missing = needs.filter((n) => !found(n))
if (missing.length > 0) {
  fail(
    `cannot make the prebuilt addon: ${missing.join(', ')} not found (a C compiler and the -dev ` +
      `packages are needed: \`apt-get install -y build-essential ${(option('--apt') ?? '').replaceAll(',', ' ')}\`)`,
  )
}

// node-gyp: npm's copy next to this Node (prebuildify's default is one on PATH).
const prefix = dirname(dirname(process.execPath))
const env = { ...process.env }
if (!env.PREBUILD_NODE_GYP) {
  const gyp = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((p) => p && existsSync(p))
  if (gyp) env.PREBUILD_NODE_GYP = gyp
}
// node-gyp downloads Node's headers unless told where this Node's own are.
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = prefix
}

const require = createRequire(import.meta.url)
const prebuildify = join(dirname(require.resolve('prebuildify/package.json')), 'bin.js')
for (const old of binaries()) rmSync(old)
mkdirSync(dir, { recursive: true })
const prebuildifyArgs = [
  '--napi',
  '--strip',
  '--tag-libc',
  '--cwd',
  native,
  '--out',
  root,
  '--name',
  pkg.name,
]
const built = spawnSync(process.execPath, [prebuildify, ...prebuildifyArgs], {
  cwd: root,
  env,
  encoding: 'utf8',
})
const [binary] = binaries()
if (built.status !== 0 || binary === undefined) {
  process.stderr.write(`${built.stdout ?? ''}${built.stderr ?? ''}${built.error?.message ?? ''}\n`)
  fail('prebuildify failed (output above)')
}

// Linked in, not loaded: the only shared libraries needed are the C runtime's.
const dynamic = spawnSync('readelf', ['-dW', binary], { encoding: 'utf8' })
if (dynamic.status === 0) {
  const needed = [...dynamic.stdout.matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1])
  const extra = needed.filter((l) => !RUNTIME_LIBS.test(l))
  if (extra.length > 0) {
    rmSync(binary)
    fail(`the prebuilt addon would need ${extra.join(', ')} at run time: install the static library (lib*.a)`)
  }
}
const loads = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(binary)})`], { encoding: 'utf8' })
if (loads.status !== 0) {
  rmSync(binary)
  fail(`the prebuilt addon does not load: ${loads.stderr.split('\n').find((l) => l.includes('Error')) ?? ''}`)
}
const symbols = spawnSync('objdump', ['-T', binary], { encoding: 'utf8' })
const glibc = [...(symbols.stdout ?? '').matchAll(/GLIBC_([\d.]+)/g)]
  .map((m) => m[1])
  .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  .pop()
const where = binary.slice(root.length + 1)
process.stdout.write(
  `${pkg.name}: prebuilt ${where} (${statSync(binary).size} bytes${glibc ? `, glibc >= ${glibc}` : ''})\n`,
)
