#!/usr/bin/env node
// First-run setup from a bare machine with Node 20 and npm: installs the
// pinned pnpm, installs the workspace (building zstd-napi from source
// against this Node's own headers when they are present), then runs the
// harness's default comparison. Usage: `npm run setup [-- --no-harness]`.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1]
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`)
  const result = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function pnpmVersion() {
  try {
    return execFileSync('pnpm', ['--version'], { env, encoding: 'utf8' }).trim()
  } catch {
    return undefined
  }
}

// corepack's signature check fails on some machines: install pnpm with npm.
if (pnpmVersion() !== wanted) run('npm', ['install', '--global', `pnpm@${wanted}`])

// node-gyp downloads headers unless told where Node's own are.
const prefix = dirname(dirname(process.execPath))
if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) {
  env.npm_config_nodedir = prefix
}

run('pnpm', ['install', '--frozen-lockfile'])
// @zswap/lz4 builds its liblz4 addon at install when it can, and runs on lz4-napi otherwise.
if (!existsSync(join(root, 'packages', 'lz4', 'build', 'Release', 'zswap_lz4.node'))) {
  console.log(
    'note: @zswap/lz4 runs on lz4-napi (about 3x slower): for the liblz4 fast path, ' +
      '`sudo apt-get install -y build-essential liblz4-dev libisal-dev && pnpm --filter @zswap/lz4 run build:addon`',
  )
}
// @zswap/deflate builds its libdeflate addon at install when it can, and runs on Node's zlib otherwise.
if (!existsSync(join(root, 'packages', 'deflate', 'build', 'Release', 'zswap_libdeflate.node'))) {
  console.log(
    "note: @zswap/deflate runs on Node's zlib (compresses 2-3x slower than libdeflate): for the fast path, " +
      '`sudo apt-get install -y build-essential libdeflate-dev && pnpm --filter @zswap/deflate run build:addon`',
  )
}
if (!process.argv.includes('--no-harness')) run('pnpm', ['harness'])
