#!/usr/bin/env node
// @arethetypeswrong/cli (attw) on every public package, as published: packs each with
// `pnpm pack` (workspace: ranges replaced, `files` applied, prepack run) into a temporary
// directory and checks the tarball. The packages are ESM-only (`"type": "module"`, an
// `import`-only `exports` map), hence attw's `esm-only` profile: types must resolve for
// ESM under node16 and for bundlers; CommonJS `require` and node10 are out of scope.
// Usage: node tooling/scripts/attw.mjs   (part of `pnpm publint`)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const out = mkdtempSync(join(tmpdir(), 'zswap-attw-'))
const packages = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter(
    (d) =>
      existsSync(join(d, 'package.json')) &&
      !JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).private,
  )

for (const dir of packages) {
  const r = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) {
    process.stderr.write(`pnpm pack failed in ${dir}\n${r.stdout}${r.stderr}`)
    process.exit(1)
  }
}

function attw(tarball) {
  return new Promise((resolve) => {
    const child = spawn(
      'pnpm',
      ['exec', 'attw', join(out, tarball), '--profile', 'esm-only', '--format', 'ascii'],
      {
        cwd: root,
      },
    )
    let text = ''
    child.stdout.on('data', (d) => {
      text += d
    })
    child.stderr.on('data', (d) => {
      text += d
    })
    child.on('close', (code) => resolve({ tarball, code, text }))
  })
}

const tarballs = readdirSync(out).filter((f) => f.endsWith('.tgz'))
const results = []
for (let i = 0; i < tarballs.length; i += 3)
  results.push(...(await Promise.all(tarballs.slice(i, i + 3).map(attw))))
rmSync(out, { recursive: true, force: true })
const failed = results.filter((r) => r.code !== 0)
for (const r of failed) process.stderr.write(`\n${r.tarball}:\n${r.text}\n`)
process.stdout.write(
  `attw (esm-only): ${results.length - failed.length} of ${results.length} packages clean${failed.length ? `; failed: ${failed.map((r) => r.tarball).join(', ')}` : ''}\n`,
)
process.exit(failed.length === 0 ? 0 : 1)
