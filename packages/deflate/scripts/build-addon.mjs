#!/usr/bin/env node
// Builds the libdeflate addon from source (build/Release/zswap_libdeflate.node) with node-gyp: the
// install script, for platforms the package ships no prebuilt binary for (prebuilds/).
// Where a prebuilt binary loads it does nothing, unless asked for a source build
// (`npm install --build-from-source`, or ZSWAP_BUILD_FROM_SOURCE=1). It downloads
// nothing and never fails: without a C compiler or libdeflate-dev the package runs on
// Node's zlib, and this prints how to get the fast path.
// Usage: node scripts/build-addon.mjs [--if-stale]   (--if-stale: only when the addon is
// missing or older than its sources)
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const addon = join(root, 'build', 'Release', 'zswap_libdeflate.node')
const HINT =
  "@zswap/deflate: libdeflate addon not built, running on Node's zlib (slower). Fast path: " +
  '`apt-get install -y build-essential libdeflate-dev`, then `npm rebuild @zswap/deflate --build-from-source` (in its repository: `pnpm --filter @zswap/deflate run build:addon`)'

/** True when the addon exists and is newer than binding.gyp and every C source. */
function fresh() {
  if (!existsSync(addon)) return false
  const built = statSync(addon).mtimeMs
  const native = join(root, 'src', 'native')
  const sources = [join(root, 'binding.gyp'), ...readdirSync(native).map((f) => join(native, f))]
  return sources.every((f) => statSync(f).mtimeMs <= built)
}

if (process.argv.includes('--if-stale') && fresh()) process.exit(0)

/** True when a prebuilt binary for this platform, architecture and libc loads (in a child). */
function prebuiltLoads() {
  const probe = `require(require('node-gyp-build').path(${JSON.stringify(root)}))`
  const env = { ...process.env, PREBUILDS_ONLY: '1' }
  return spawnSync(process.execPath, ['-e', probe], { cwd: root, env, stdio: 'ignore' }).status === 0
}

const fromSource = [process.env.npm_config_build_from_source, process.env.ZSWAP_BUILD_FROM_SOURCE].some(
  (v) => v !== undefined && v !== '' && v !== 'false' && v !== '0',
)
if (!fromSource && !process.argv.includes('--if-stale') && prebuiltLoads()) process.exit(0)

/** node-gyp as the package manager provides it, else npm's copy next to this Node. */
function nodeGyp() {
  const fromPm = process.env.npm_config_node_gyp
  if (fromPm && existsSync(fromPm)) return [process.execPath, fromPm]
  const prefix = dirname(dirname(process.execPath))
  for (const p of [
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'lib', 'node_modules', 'pnpm', 'dist', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ]) {
    if (existsSync(p)) return [process.execPath, p]
  }
  return ['node-gyp']
}

const env = { ...process.env }
// node-gyp downloads headers unless told where this Node's own are.
const prefix = dirname(dirname(process.execPath))
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = prefix
}
const [cmd, ...pre] = nodeGyp()
const result = spawnSync(cmd, [...pre, 'rebuild'], { cwd: root, env, encoding: 'utf8' })
if (result.status === 0 && existsSync(addon)) {
  process.stdout.write('@zswap/deflate: built the libdeflate addon\n')
} else {
  const why = `${result.error?.message ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|not found|No such file/i.test(l))
    .slice(0, 3)
    .join('\n  ')
  process.stdout.write(`${HINT}\n${why ? `  ${why}\n` : ''}`)
}
