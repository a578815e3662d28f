#!/usr/bin/env node
import { existsSync, readdirSync } from 'node:fs'

/**
 * The bench runner: `node dist/bench.js <name> [flags]` loads `dist/bench/<name>.js`
 * at run time and calls its default export with the remaining arguments.
 * A bench module is any file there whose default export is a function;
 * `*-worker.js` files and helpers without a default export are not benches.
 */
type BenchMain = (argv: string[]) => unknown

const BENCH_DIR = new URL('./bench/', import.meta.url)
const NAME = /^[a-z0-9][a-z0-9-]*$/

async function loadBench(name: string): Promise<BenchMain | undefined> {
  if (!NAME.test(name) || name.endsWith('-worker')) return undefined
  const url = new URL(`${name}.js`, BENCH_DIR)
  if (!existsSync(url)) return undefined
  const mod = (await import(url.href)) as { default?: unknown }
  return typeof mod.default === 'function' ? (mod.default as BenchMain) : undefined
}

async function listBenches(): Promise<string[]> {
  if (!existsSync(BENCH_DIR)) return []
  const names: string[] = []
  for (const file of readdirSync(BENCH_DIR).sort()) {
    if (!file.endsWith('.js')) continue
    const name = file.slice(0, -'.js'.length)
    try {
      if ((await loadBench(name)) !== undefined) names.push(name)
    } catch {
      // A module that fails to load is not listed; running it by name shows the error.
    }
  }
  return names
}

async function usage(): Promise<string> {
  const names = await listBenches()
  return `usage: bench <name> [flags]\navailable benches: ${names.length > 0 ? names.join(', ') : '(none built)'}\n`
}

const [name, ...argv] = process.argv.slice(2)
if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(await usage())
} else {
  const main = await loadBench(name)
  if (main === undefined) {
    process.stderr.write(`bench: unknown bench "${name}"\n${await usage()}`)
    process.exitCode = 1
  } else {
    const code = await main(argv)
    if (typeof code === 'number') process.exitCode = code
  }
}
