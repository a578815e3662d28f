#!/usr/bin/env node
// Builds the liblz4 addon from source with node-gyp (src/native/binding.gyp) into
// build/Release/zswap_lz4.node, which the loader takes before the prebuilt binaries. For
// platforms the package ships no prebuilt binary for (prebuilds/), or to build against
// the machine's own liblz4: `node node_modules/@zswap/lz4/scripts/build-addon.mjs`. Not an
// install script: pnpm fails an install whose dependencies have unapproved build scripts
// (or a binding.gyp at their root), so the package ships none. It never fails: without
// a C compiler or liblz4-dev the package runs on lz4-napi, and this says how to get the
// fast path.
// Usage: node scripts/build-addon.mjs [--if-stale]   (--if-stale: only when the addon is
// missing or older than its sources)
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const native = join(root, 'src', 'native')
const TARGET = 'zswap_lz4.node'
const addon = join(root, 'build', 'Release', TARGET)
const HINT =
  '@zswap/lz4: liblz4 addon not built, running on lz4-napi (slower). Fast path: ' +
  '`apt-get install -y build-essential liblz4-dev libdeflate-dev`, then run this script again'

/** True when the addon exists and is newer than every file under src/native. */
function fresh() {
  if (!existsSync(addon)) return false
  const built = statSync(addon).mtimeMs
  return readdirSync(native, { withFileTypes: true })
    .filter((e) => e.isFile())
    .every((e) => statSync(join(native, e.name)).mtimeMs <= built)
}

if (process.argv.includes('--if-stale') && fresh()) process.exit(0)

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
const result = spawnSync(cmd, [...pre, 'rebuild'], { cwd: native, env, encoding: 'utf8' })
const output = join(native, 'build', 'Release', TARGET)
if (result.status === 0 && existsSync(output)) {
  mkdirSync(dirname(addon), { recursive: true })
  copyFileSync(output, addon)
  process.stdout.write(`@zswap/lz4: built the liblz4 addon (${addon})\n`)
} else {
  const why = `${result.error?.message ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|not found|No such file/i.test(l))
    .slice(0, 3)
    .join('\n  ')
  process.stdout.write(`${HINT}\n${why ? `  ${why}\n` : ''}`)
}
