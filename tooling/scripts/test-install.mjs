#!/usr/bin/env node
// A stranger's install: packs every public package (packages/*), installs the tarballs
// into an empty project outside the workspace with npm (--ignore-scripts) and with pnpm
// (whose default blocks dependencies' build scripts), with PATH holding only node, npm
// and pnpm (no cc, gcc, g++, make) and a bare environment, then
//   - checks each tarball: README and dist there, no tests or bench output, and for the
//     native drivers their prebuilt addon for this platform;
//   - runs the first ```ts example of each installed package's README (types stripped by
//     TypeScript's transpiler; one importing vitest runs under the installed vitest);
//   - asserts that the native drivers run their C library from the shipped binary and
//     write the same bytes as the workspace's build (whose bytes test/wire-format.test.ts
//     pins).
// Usage: pnpm test:install [--tarballs DIR] [--only npm|pnpm] [--keep]
//   --tarballs DIR  install the .tgz files in DIR instead of building and packing
//                   (to try other packages, e.g. an older commit's)
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const platform = `${process.platform}-${process.arch}`

/**
 * The native drivers: what `capabilities` says when their C library runs, and a driver
 * for the same-bytes check. A new one is one more entry.
 */
const NATIVE = {
  '@zswap/lz4': { create: (m) => m.lz4(), field: 'backend', value: 'liblz4', status: 'liblz4Status' },
  '@zswap/deflate': {
    create: (m) => m.deflate({ level: 1 }),
    field: 'engine',
    value: 'libdeflate',
    status: 'libdeflateStatus',
  },
  '@zswap/lzo': { create: (m) => m.lzo(), field: 'backend', value: 'liblzo2', status: 'liblzo2Status' },
}

/**
 * Examples that cannot run where install scripts are blocked, and why; each must fail
 * with its error (a pass fails the check: take the entry out).
 */
const KNOWN = {
  '@zswap/zstd': /\[@zswap\/zstd\] zstd-napi's native binding did not load/,
}
const KNOWN_WHY =
  'zstd-napi ships no binary in its package: its install script downloads one or compiles, so where scripts are blocked zstd() throws ERR_COMPRESSION_FAILED (@zswap/zstd loads zstd-napi on the first zstd(), so @zswap/iaa and @zswap/by-n install and run without it)'

/** Paths that have no place in a published package. */
const UNWANTED =
  /(^|\/)(test|tests|__tests__|bench|\.bench-out|\.turbo|node_modules|coverage)\/|\.test\.[jt]s$|\.tsbuildinfo$/

const failures = []
const fail = (message) => {
  failures.push(message)
  process.stderr.write(`FAIL ${message}\n`)
}
const log = (message) => process.stdout.write(`${message}\n`)
const started = performance.now()
const seconds = () => ((performance.now() - started) / 1000).toFixed(1)

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}\n${r.stdout ?? ''}${r.stderr ?? ''}`)
  }
  return r
}

/** The public packages of the workspace: name, directory. */
function publicPackages() {
  return readdirSync(join(root, 'packages'))
    .map((d) => join(root, 'packages', d))
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter((p) => !p.json.private)
}

/** A program on this PATH, resolved to its file. */
function which(name) {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, name)
    if (d && existsSync(p) && statSync(p).isFile()) return realpathSync(p)
  }
  throw new Error(`${name} is not on PATH`)
}

const work = mkdtempSync(join(tmpdir(), 'zswap-install-'))
const tarballs = option('--tarballs') ?? join(work, 'tarballs')

// 1. Build and pack (pnpm pack runs each package's prepack: the native drivers make
//    their prebuilt addon there when it is missing or stale, and fail without it).
if (option('--tarballs') === undefined) {
  mkdirSync(tarballs)
  run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
  })
  for (const { dir } of publicPackages()) {
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir })
  }
  log(`packed ${publicPackages().length} packages (${seconds()} s)`)
}
const packed = readdirSync(tarballs)
  .filter((f) => f.endsWith('.tgz'))
  .map((file) => {
    const path = join(tarballs, file)
    const files = run('tar', ['-tzf', path]).stdout.split('\n').filter(Boolean)
    const json = JSON.parse(run('tar', ['-xzOf', path, 'package/package.json']).stdout)
    return {
      file,
      path,
      name: json.name,
      size: statSync(path).size,
      files,
      peers: json.peerDependencies ?? {},
    }
  })

// 2. What is in each tarball.
for (const t of packed) {
  const inside = t.files.map((f) => f.replace(/^package\//, ''))
  for (const f of ['README.md', 'package.json'])
    if (!inside.includes(f)) fail(`${t.name}: no ${f} in ${t.file}`)
  if (!inside.some((f) => f.startsWith('dist/'))) fail(`${t.name}: no dist/ in ${t.file}`)
  const extra = inside.filter((f) => UNWANTED.test(f))
  if (extra.length > 0) fail(`${t.name}: ${t.file} holds ${extra.slice(0, 5).join(', ')}`)
  if (NATIVE[t.name] && !inside.some((f) => f.startsWith(`prebuilds/${platform}/`) && f.endsWith('.node'))) {
    fail(`${t.name}: ${t.file} holds no prebuilds/${platform}/*.node`)
  }
}

// 3. PATH with node, npm and pnpm only, and a bare environment.
const bin = join(work, 'bin')
mkdirSync(bin)
for (const name of ['node', 'npm', 'pnpm'])
  symlinkSync(name === 'node' ? process.execPath : which(name), join(bin, name))
const env = {
  PATH: bin,
  HOME: process.env.HOME ?? work,
  TMPDIR: tmpdir(),
  LANG: 'C.UTF-8',
  npm_config_update_notifier: 'false',
}
for (const cc of ['cc', 'gcc', 'g++', 'c++', 'clang', 'make']) {
  const found = spawnSync('/bin/sh', ['-c', `command -v ${cc}`], { env }).status === 0
  if (found) throw new Error(`${cc} is on the check's PATH`)
}

// The examples' TypeScript, transpiled by the workspace's compiler (nothing to install).
const ts = createRequire(join(root, 'package.json'))('typescript')
function firstExample(readme) {
  const m = /```ts\n([\s\S]*?)```/.exec(readme)
  return m?.[1]
}

/** Deterministic 4 KiB pages, text-like and struct-like (its source also goes into the probe). */
function makePages() {
  const pages = []
  let s = 0x9e3779b9
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return s >>> 0
  }
  const words = ['page', 'swap', 'folio', 'zswap', 'entry', 'the', 'of', 'memory', 'kernel']
  for (let i = 0; i < 16; i++) {
    let t = ''
    while (t.length < 4096) t += words[next() % words.length] + (next() % 7 ? ' ' : '.\n')
    pages.push(new TextEncoder().encode(t.slice(0, 4096)))
    const p = new Uint8Array(4096)
    const v = new DataView(p.buffer)
    for (let off = 0; off < 4096; off += 64) {
      v.setUint32(off, 0x7f3a0000 + (next() & 0xffc0), true)
      v.setUint16(off + 16, i, true)
    }
    pages.push(p)
  }
  return pages
}

/** SHA-256 of what `compressor` writes for the pages. */
function digest(compressor, pages) {
  const hash = createHash('sha256')
  for (const page of pages) {
    const dst = new Uint8Array(8192)
    hash.update(dst.subarray(0, compressor.compress(page, dst)))
  }
  return hash.digest('hex')
}

// The workspace's bytes, to compare the installed drivers with.
const expected = {}
for (const [name, native] of Object.entries(NATIVE)) {
  const dir = join(root, 'packages', name.split('/')[1])
  const m = await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)
  const c = native.create(m)
  if (c.capabilities[native.field] !== native.value) {
    fail(`${name}: the workspace's build runs ${c.capabilities[native.field]}, not ${native.value}`)
  }
  expected[name] = digest(c, makePages())
}

/** Runs a command in the project; resolves to { code, out }. */
function exec(cwd, cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('close', (code) => resolve({ code, out }))
  })
}

/** Installs the tarballs with `manager` into an empty project, then runs the checks there. */
async function check(manager) {
  const project = join(work, manager)
  mkdirSync(join(project, 'examples'), { recursive: true })
  const deps = Object.fromEntries(packed.map((t) => [t.name, `file:${t.path}`]))
  // A user of a package with peer dependencies (vitest for @zswap/conformance) has them.
  const peers = Object.fromEntries(
    packed.flatMap((t) => Object.entries(t.peers)).filter(([name]) => !name.startsWith('@zswap/')),
  )
  const pkg = {
    name: `install-check-${manager}`,
    private: true,
    type: 'module',
    dependencies: deps,
    devDependencies: peers,
  }
  // Every @zswap package from its tarball, also as a dependency of another (never the registry).
  if (manager === 'npm') pkg.overrides = deps
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2))
  if (manager === 'pnpm') {
    const yaml = (o) => Object.entries(o).map(([k, v]) => `  '${k}': ${typeof v === 'string' ? `'${v}'` : v}`)
    // pnpm fails an install whose dependencies have unapproved build scripts; deny
    // zstd-napi's explicitly (a stranger answering "no" to pnpm approve-builds).
    const config = ['overrides:', ...yaml(deps), 'allowBuilds:', ...yaml({ 'zstd-napi': false })]
    writeFileSync(join(project, 'pnpm-workspace.yaml'), `${config.join('\n')}\n`)
  }
  const t0 = performance.now()
  const install =
    manager === 'npm'
      ? await exec(project, 'npm', [
          'install',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
        ])
      : await exec(project, 'pnpm', ['install', '--prefer-offline', '--reporter=append-only'])
  if (install.code !== 0) {
    fail(`${manager} install exited ${install.code}\n${install.out}`)
    return {}
  }
  log(`${manager}: installed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // Never a @zswap package from the registry.
  const fromRegistry =
    manager === 'npm'
      ? Object.entries(JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')).packages)
          .filter(([k, v]) => /node_modules\/@zswap\//.test(k) && !String(v.resolved).startsWith('file:'))
          .map(([k]) => k)
      : readdirSync(join(project, 'node_modules', '.pnpm')).filter(
          (d) => d.startsWith('@zswap+') && !d.includes('file+'),
        )
  if (fromRegistry.length > 0) fail(`${manager}: from the registry: ${fromRegistry.join(', ')}`)

  // Each README's first example, as written in the installed package.
  const results = {}
  const runs = packed.map(({ name }) => async () => {
    const readme = readFileSync(join(project, 'node_modules', name, 'README.md'), 'utf8')
    const code = firstExample(readme)
    if (code === undefined) {
      fail(`${manager}: ${name}'s README has no \`\`\`ts example`)
      return
    }
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
    const test = /from ['"](vitest|@zswap\/conformance)['"]/.test(code)
    const file = join('examples', `${name.split('/')[1]}${test ? '.test' : ''}.mjs`)
    writeFileSync(join(project, file), js)
    const r = test
      ? await exec(project, 'node', [join('node_modules', 'vitest', 'vitest.mjs'), 'run', file])
      : await exec(project, 'node', [file])
    const known = KNOWN[name]
    if (r.code === 0 && known) fail(`${manager}: ${name}'s example runs now: take it out of KNOWN`)
    else if (r.code !== 0 && known?.test(r.out)) results[name] = 'known'
    else if (r.code !== 0) fail(`${manager}: ${name}'s README example failed:\n${r.out.slice(-2000)}`)
    else results[name] = 'ok'
  })
  // Two at a time: the machine has two cores.
  for (let i = 0; i < runs.length; i += 2) await Promise.all(runs.slice(i, i + 2).map((task) => task()))

  // The native drivers run their C library, from the shipped binary, with the same bytes.
  const probe = [
    "import { createHash } from 'node:crypto'",
    `const pages = (${makePages.toString()})()`,
    'const out = {}',
    ...Object.entries(NATIVE).map(
      ([name, n]) => `{
  const m = await import('${name}')
  const c = (${n.create.toString()})(m)
  const hash = createHash('sha256')
  for (const page of pages) { const dst = new Uint8Array(8192); hash.update(dst.subarray(0, c.compress(page, dst))) }
  out['${name}'] = { runs: c.capabilities['${n.field}'], status: m.${n.status}(), digest: hash.digest('hex') }
}`,
    ),
    'console.log(JSON.stringify(out))',
  ].join('\n')
  writeFileSync(join(project, 'native.mjs'), probe)
  const native = await exec(project, 'node', ['native.mjs'])
  if (native.code !== 0) {
    fail(`${manager}: the native check failed:\n${native.out}`)
    return results
  }
  const got = JSON.parse(native.out.trim().split('\n').pop())
  for (const [name, n] of Object.entries(NATIVE)) {
    const g = got[name]
    if (g.runs !== n.value) fail(`${manager}: ${name} runs ${g.runs}, not ${n.value} (${g.status.reason})`)
    else if (!g.status.addonPath?.includes(`${join('prebuilds', platform)}`)) {
      fail(`${manager}: ${name} loaded ${g.status.addonPath}, not its prebuilt binary`)
    } else if (g.digest !== expected[name])
      fail(`${manager}: ${name} writes other bytes than the workspace's build`)
    else results[name] = `${results[name] ?? 'ok'}, ${n.value}`
  }
  return results
}

const managers = option('--only') ? [option('--only')] : ['npm', 'pnpm']
const results = {}
for (const m of managers) results[m] = await check(m)

log(`\n| package | tarball | ${managers.join(' | ')} |\n|---|---|${managers.map(() => '---|').join('')}`)
for (const t of packed.sort((a, b) => a.name.localeCompare(b.name))) {
  const kb = `${(t.size / 1024).toFixed(1)} kB`
  log(`| ${t.name} | ${kb} | ${managers.map((m) => results[m]?.[t.name] ?? 'FAIL').join(' | ')} |`)
}
if (Object.values(results).some((r) => Object.values(r).includes('known'))) log(`\nknown: ${KNOWN_WHY}`)
if (args.includes('--keep')) log(`kept ${work}`)
else rmSync(work, { recursive: true, force: true })
log(`\ninstall check: ${failures.length === 0 ? 'passed' : `${failures.length} failed`} in ${seconds()} s`)
process.exit(failures.length === 0 ? 0 : 1)
