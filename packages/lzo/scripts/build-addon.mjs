#!/usr/bin/env node
// Builds the liblzo2 addon (build/Release/zswap_lzo.node) with node-gyp. Runs at
// install and before `tsup` in `build`. It never fails: without a C compiler or
// liblzo2-dev the install goes on, `lzo()` throws a CompressionFailedError saying how to
// get the addon, and this prints the same one line.
// Usage: node scripts/build-addon.mjs [--if-stale]   (--if-stale: only when the addon is
// missing or older than its sources)
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const addon = join(root, 'build', 'Release', 'zswap_lzo.node')
const HINT =
  '@zswap/lzo: liblzo2 addon not built, lzo() is unavailable until it is: ' +
  '`apt-get install -y build-essential liblzo2-dev` (optionally libisal-dev), then `pnpm --filter @zswap/lzo run build:addon`'

/** True when the addon exists and is newer than binding.gyp and every C source. */
function fresh() {
  if (!existsSync(addon)) return false
  const built = statSync(addon).mtimeMs
  const native = join(root, 'src', 'native')
  const sources = [join(root, 'binding.gyp'), ...readdirSync(native).map((f) => join(native, f))]
  return sources.every((f) => statSync(f).mtimeMs <= built)
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
const result = spawnSync(cmd, [...pre, 'rebuild'], { cwd: root, env, encoding: 'utf8' })
if (result.status === 0 && existsSync(addon)) {
  process.stdout.write('@zswap/lzo: built the liblzo2 addon\n')
} else {
  const why = `${result.error?.message ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((l) => /error|not found|No such file/i.test(l))
    .slice(0, 3)
    .join('\n  ')
  process.stdout.write(`${HINT}\n${why ? `  ${why}\n` : ''}`)
}
