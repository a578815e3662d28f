#!/usr/bin/env node
import { writeFileSync } from 'node:fs'
import { delimiter, resolve } from 'node:path'
import { type Accelerator, type Compressor, isAccelerator, ZswapError } from '@zswap/core'
import { type FlagSpec, formatHelp, parseFlags } from './cli/args.js'
import { compareStacks, comparisonFailures } from './compare.js'
import { loadConfig } from './config.js'
import { type Corpus, DEFAULT_MAX_PAGES, loadCorpus, samplePath } from './corpus.js'
import { FAULT_KINDS, type FaultKind, faultyCompressor } from './faults.js'
import { DEFAULT_SCALE_OBJECTS } from './measure/pool-at-scale.js'
import { formatCsv } from './output/csv.js'
import { formatHtml } from './output/html.js'
import { formatMarkdown } from './output/markdown.js'
import { createProgress } from './output/progress.js'
import { formatTable } from './output/table.js'
import { DriverRegistry } from './spec/registry.js'
import { isHarnessUsageError, UsageError } from './spec/usage-error.js'
import { harnessVersion } from './version.js'
import { WORKLOAD_KINDS } from './workloads/workload-spec.js'

/** Stacks compared when neither flags nor a config file name any. */
export const DEFAULT_STACKS = [
  'lz4+zsmalloc',
  'lz4+zbud',
  'zstd+zsmalloc',
  'zstd+zbud',
  // IAA's time is modeled (preset spr, iaa_crypto's sync mode); each gives a (modeled) row and an (emulation, measured) row
  'iaa(mode=sync,model=spr)+zsmalloc',
  'iaa(mode=sync,model=spr)+zbud',
]
/** Workloads run when neither flags nor a config file name any: 4 KiB and 64 KiB folios. */
export const DEFAULT_WORKLOADS = ['replay(order=0)', 'replay(order=4)']
const DEFAULT_HTML = 'harness-report.html'

const FLAGS: FlagSpec[] = [
  { name: 'stack', type: 'list', value: 'SPEC', help: 'A stack to compare (repeatable), e.g. zstd-3+zbud' },
  {
    name: 'workload',
    type: 'list',
    value: 'SPEC',
    help: `A workload (repeatable): ${WORKLOAD_KINDS.join(', ')}, e.g. "replay(mix=0:50/4:50)"`,
  },
  { name: 'corpus', type: 'list', value: 'FILE', help: 'Page corpus .pages or .pages.zst (repeatable)' },
  {
    name: 'max-pages',
    type: 'int',
    min: 1,
    max: 1 << 24,
    value: 'N',
    help: `Read at most N pages of each corpus (default ${DEFAULT_MAX_PAGES} = 256 MiB)`,
  },
  {
    name: 'runs',
    type: 'int',
    min: 1,
    max: 1000,
    value: 'N',
    help: 'Measured runs; figures are medians (default 3)',
  },
  {
    name: 'warmup',
    type: 'int',
    min: 0,
    max: 1000,
    value: 'N',
    help: 'Unrecorded warm-up runs first (default 1)',
  },
  {
    name: 'scale-objects',
    type: 'int',
    min: 0,
    max: 10_000_000,
    value: 'N',
    help: "Also measure each pool with the run's objects cycled to N objects (default 200000; 0: off)",
  },
  {
    name: 'folio-order',
    type: 'int',
    min: 0,
    max: 9,
    value: 'N',
    help: 'Shorthand for --workload "replay(order=N)"',
  },
  {
    name: 'compressor',
    type: 'string',
    value: 'NAME',
    help: 'Shorthand: with --zpool, one stack NAME+ZPOOL',
  },
  { name: 'zpool', type: 'string', value: 'NAME', help: 'Shorthand: with --compressor (default lz4+zbud)' },
  {
    name: 'config',
    type: 'string',
    value: 'FILE',
    help: 'Config file (default: zswap-harness.config.* here)',
  },
  { name: 'json', type: 'bool', help: 'Print one JSON document (schemaVersion 2) instead of the table' },
  { name: 'csv', type: 'bool', help: 'Print CSV, one row per stack and workload' },
  { name: 'markdown', type: 'bool', help: 'Print Markdown tables' },
  {
    name: 'html',
    type: 'string',
    value: 'FILE',
    help: `Write the HTML report there (table mode default: ${DEFAULT_HTML})`,
  },
  { name: 'no-html', type: 'bool', help: 'Write no HTML report' },
  { name: 'no-baseline', type: 'bool', help: 'Leave out the memcpy baseline row' },
  {
    name: 'inject-fault',
    type: 'string',
    value: 'KIND',
    help: `Check the checker: some decompressions go wrong (${FAULT_KINDS.join(' | ')}); the run must fail`,
  },
  { name: 'list-drivers', type: 'bool', help: 'List the drivers stacks can name, and exit' },
  { name: 'help', type: 'bool', help: 'Show this help' },
]

const USAGE = 'usage: zswap-harness [--stack SPEC]... [--workload SPEC]... [--corpus FILE]... [flags]'
const FOOTER = `Stack:    codec[+zpool][@4k][[cacheParam=value,...]]   e.g. lz4+zsmalloc, zstd-3+zbud,
          "iaa(deflate,engines=2)+zsmalloc", "lz4+zbud[maxPoolPercent=10]"; a {a,b} or {a..b} group
          sweeps one parameter: "zstd-{1..9}+zsmalloc".
Workload: replay(order=N|mix=0:40/4:60) · synthetic(pages,ratio,zero,same,seed) ·
          pressure(streams,limit,readahead,order).
Corpora:  --corpus, else the config file's corpora, else ZSWAP_CORPUS (${delimiter}-separated), else the bundled sample.
Exit:     0 every page loaded back equal · 1 an integrity failure · 2 a usage mistake.`

function pick<T>(flags: Map<string, unknown>, name: string): T | undefined {
  return flags.get(name) as T | undefined
}

async function readCorpora(paths: readonly string[], maxPages: number): Promise<Corpus[]> {
  const out: Corpus[] = []
  for (const path of paths) {
    let corpus: Awaited<ReturnType<typeof loadCorpus>>
    try {
      corpus = await loadCorpus(path, maxPages)
    } catch (error) {
      // A file that cannot be read or is not whole pages is the user's to fix: a usage error.
      if (ZswapError.isInstance(error)) throw new UsageError((error as Error).message)
      throw error
    }
    if (corpus.truncated) {
      process.stderr.write(`zswap-harness: ${path}: read the first ${maxPages} pages (--max-pages)\n`)
    }
    out.push(corpus)
  }
  return out
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS)
  if (flags.get('help')) {
    process.stdout.write(formatHelp(USAGE, FLAGS, FOOTER))
    return 0
  }
  const loaded = await loadConfig(pick<string>(flags, 'config'))
  const config = loaded?.config ?? {}
  const registry = new DriverRegistry()
  for (const d of loaded?.drivers ?? []) registry.add(d)
  if (flags.get('list-drivers')) {
    for (const e of registry.entries()) {
      const params = e.params === undefined ? 'any key=value' : Object.keys(e.params).join(', ') || 'none'
      process.stdout.write(
        `${e.kind.padEnd(12)}${e.name.padEnd(10)}${e.summary ?? ''} (${e.package}); parameters: ${params}\n`,
      )
    }
    return 0
  }

  const outputs = ['json', 'csv', 'markdown'].filter((f) => flags.get(f))
  if (outputs.length > 1)
    throw new UsageError(`give one of --json, --csv, --markdown, not ${outputs.join(' and ')}`)
  const format = (outputs[0] ?? 'table') as 'json' | 'csv' | 'markdown' | 'table'
  if (flags.has('html') && flags.has('no-html'))
    throw new UsageError('give --html FILE or --no-html, not both')

  let stacks = pick<string[]>(flags, 'stack')
  const compressor = pick<string>(flags, 'compressor')
  const zpool = pick<string>(flags, 'zpool')
  if (compressor !== undefined || zpool !== undefined) {
    if (stacks !== undefined) throw new UsageError('give --stack, or --compressor/--zpool, not both')
    stacks = [`${compressor ?? 'lz4'}+${zpool ?? 'zbud'}`]
  }
  stacks ??= config.stacks ?? DEFAULT_STACKS

  let workloads = pick<string[]>(flags, 'workload')
  const order = pick<number>(flags, 'folio-order')
  if (order !== undefined) {
    if (workloads !== undefined) throw new UsageError('give --workload, or --folio-order, not both')
    workloads = [`replay(order=${order})`]
  }
  workloads ??= config.workloads ?? DEFAULT_WORKLOADS

  const maxPages = pick<number>(flags, 'max-pages') ?? config.maxPages ?? DEFAULT_MAX_PAGES
  const env = process.env.ZSWAP_CORPUS
  const corpusPaths =
    pick<string[]>(flags, 'corpus') ??
    config.corpora ??
    (env !== undefined && env !== '' ? env.split(delimiter).filter((p) => p !== '') : [samplePath()])

  const faultName = pick<string>(flags, 'inject-fault')
  if (faultName !== undefined && !FAULT_KINDS.includes(faultName as FaultKind)) {
    throw new UsageError(`--inject-fault must be one of ${FAULT_KINDS.join(', ')}, got '${faultName}'`)
  }
  const wrapCodec =
    faultName === undefined
      ? undefined
      : (codec: Compressor | Accelerator) =>
          isAccelerator(codec) ? codec : faultyCompressor(codec, { kind: faultName as FaultKind })

  const corpora = await readCorpora(corpusPaths, maxPages)
  const interactive = format === 'table' && process.stderr.isTTY === true
  const progress = createProgress(interactive)
  let report: Awaited<ReturnType<typeof compareStacks>>
  try {
    report = await compareStacks({
      stacks,
      workloads,
      corpora,
      runs: pick<number>(flags, 'runs') ?? config.runs ?? 3,
      warmup: pick<number>(flags, 'warmup') ?? config.warmup ?? 1,
      baseline: flags.get('no-baseline') ? false : (config.baseline ?? true),
      registry,
      maxPages,
      scaleObjects: pick<number>(flags, 'scale-objects') ?? config.scaleObjects ?? DEFAULT_SCALE_OBJECTS,
      version: harnessVersion(),
      ...(wrapCodec === undefined ? {} : { wrapCodec }),
      onProgress: (e) => progress.onProgress(e),
    })
  } finally {
    progress.stop()
  }

  if (format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else if (format === 'csv') process.stdout.write(`${formatCsv(report)}\n`)
  else if (format === 'markdown') process.stdout.write(`${formatMarkdown(report)}\n`)
  else process.stdout.write(`${formatTable(report, { color: process.stdout.isTTY === true })}\n`)

  const out = config.output ?? {}
  const files: [string | undefined, () => string][] = [
    [out.json, () => `${JSON.stringify(report, null, 2)}\n`],
    [out.csv, () => `${formatCsv(report)}\n`],
    [out.markdown, () => `${formatMarkdown(report)}\n`],
  ]
  let html = pick<string>(flags, 'html') ?? (out.html === false ? undefined : out.html)
  if (html === undefined && format === 'table' && out.html !== false) html = DEFAULT_HTML
  if (flags.get('no-html')) html = undefined
  for (const [path, text] of files) {
    if (path === undefined) continue
    writeFileSync(path, text())
    process.stderr.write(`zswap-harness: wrote ${path}\n`)
  }
  if (html !== undefined) {
    const path = resolve(html)
    writeFileSync(path, formatHtml(report))
    process.stderr.write(
      `zswap-harness: wrote the report to ${path} (open it in a browser; it works offline)\n`,
    )
  }

  const failures = comparisonFailures(report)
  if (failures.length > 0) {
    process.stderr.write(`zswap-harness: integrity check failed\n${failures.map((l) => `  ${l}\n`).join('')}`)
    return 1
  }
  return 0
}

/** Subcommands, loaded on demand: `zswap-harness kernel-check …`, `zswap-harness capture …`. */
const SUBCOMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  'kernel-check': async () => (await import('./kernel-check/command.js')).kernelCheckMain,
  capture: async () => (await import('./capture/command.js')).captureMain,
}

try {
  const argv = process.argv.slice(2)
  const sub = SUBCOMMANDS[argv[0] ?? '']
  process.exitCode = sub === undefined ? await main(argv) : await (await sub())(argv.slice(1))
} catch (error) {
  // Usage errors: the harness's own, and a driver's option check (ERR_INVALID_OPTION). Anything else
  // is a bug and keeps its stack trace.
  if (isHarnessUsageError(error) || (error as { code?: unknown } | null)?.code === 'ERR_INVALID_OPTION') {
    const message = (error as Error).message.replace(/^\[zswap-harness\] /, '')
    process.stderr.write(`zswap-harness: ${message.split('\n')[0]}\n`)
    process.exitCode = 2
  } else {
    throw error
  }
}
