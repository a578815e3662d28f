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
// The native drivers' prebuilt addons (prebuilds/<platform>-<arch>/), made from the C libraries'
// -dev packages; without them this prints what to install, and @zswap/lz4 falls back to
// lz4-napi, @zswap/deflate to Node's zlib, @zswap/lzo throws its hint. Under CI it fails.
run('pnpm', [
  '--filter',
  '@zswap/lz4',
  '--filter',
  '@zswap/deflate',
  '--filter',
  '@zswap/lzo',
  'run',
  'build:prebuild',
  '--if-stale',
])
if (!process.argv.includes('--no-harness')) run('pnpm', ['harness'])
