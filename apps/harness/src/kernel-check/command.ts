import { type FlagSpec, formatHelp, parseFlags } from '../cli/args.js'
import { type Corpus, DEFAULT_MAX_PAGES, loadCorpus, samplePath } from '../corpus.js'
import { UsageError } from '../spec/usage-error.js'
import { type KernelCheckOptions, type KernelCheckResult, kernelCheck } from './check.js'
import { formatRows } from './compare.js'
import { poolRatio } from './emulate.js'
import { helperPath } from './helper.js'
import { KernelFs } from './kernel-fs.js'
import { realSystemOps, type SystemOps } from './system-ops.js'

const FLAGS: FlagSpec[] = [
  {
    name: 'compressor',
    type: 'string',
    value: 'NAME',
    help: "Kernel compressor (/proc/crypto name; default: zswap's current one)",
  },
  {
    name: 'corpus',
    type: 'list',
    value: 'FILE',
    help: 'Page corpus .pages or .pages.zst (repeatable; default: the bundled sample)',
  },
  {
    name: 'max-pages',
    type: 'int',
    min: 1,
    max: 1 << 22,
    value: 'N',
    help: `Read at most N pages of each corpus (default ${DEFAULT_MAX_PAGES})`,
  },
  {
    name: 'tolerance',
    type: 'string',
    value: 'PCT',
    help: 'Largest pool difference that passes, in % (default 2)',
  },
  {
    name: 'mthp',
    type: 'list',
    value: 'KIB',
    help: 'Swap out large folios of this mTHP size in KiB, e.g. 64 (repeatable; sets hugepages-<N>kB/enabled to madvise, others to never, and restores them; the emulation uses the largest)',
  },
  {
    name: 'swap-dir',
    type: 'string',
    value: 'DIR',
    help: 'Where the temporary swap file goes when no swap is on (default /var/tmp)',
  },
  {
    name: 'sizes',
    type: 'string',
    value: 'SRC',
    help: "Emulated object sizes from: helper (system zlib / liblzo2's kernel-exact variant), driver (the project's package), auto (default: driver, helper for deflate)",
  },
  {
    name: 'swap',
    type: 'string',
    value: 'KIND',
    help: 'When no swap is on: a temporary swap file or a zram device (default: zram with --mthp, for the kernel splits large folios bound for a rotational disk; else file)',
  },
  { name: 'json', type: 'bool', help: 'Print one JSON document' },
  { name: 'help', type: 'bool', help: 'Show this help' },
]

const USAGE = 'usage: zswap-harness kernel-check [--compressor NAME] [--corpus FILE]... [--mthp KIB] [flags]'
const FOOTER = `Runs the corpus through the running kernel's zswap (as root: mounts debugfs if needed, makes a
temporary swap file when no swap is on, sets zswap's parameters) and through the emulation
(zsmalloc and the same compressor), side by side. Every setting it touches is restored, also on
errors, Ctrl-C and SIGTERM; a run killed outright is undone by the next one.
Exit:     0 counts equal and pool within --tolerance · 1 a difference, or a page read back wrong ·
          2 cannot run (says what is missing) or a usage mistake.`

/** Injectable parts, for tests. */
export interface KernelCheckCommandDeps {
  readonly fs?: KernelFs
  readonly ops?: SystemOps
  readonly helper?: string
  readonly out?: (text: string) => void
  readonly err?: (text: string) => void
  /** Replaces parts of the check (the memory side, signals, fault injection). */
  readonly check?: Partial<Pick<KernelCheckOptions, 'pageout' | 'onSignal' | 'exit' | 'inject'>>
}

function jsonResult(result: KernelCheckResult): unknown {
  if (result.status === 'cannot-run') return result
  return {
    ...result,
    checks: result.checks.map((c) => ({
      ...c,
      kernel: { ...c.kernel, zswpoutByKiB: Object.fromEntries(c.kernel.zswpoutByKiB) },
      emulated: { ...c.emulated, zswpoutByKiB: Object.fromEntries(c.emulated.zswpoutByKiB) },
    })),
  }
}

/** `zswap-harness kernel-check`: returns the exit code. */
export async function kernelCheckMain(argv: string[], deps: KernelCheckCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t))
  const err = deps.err ?? ((t: string) => process.stderr.write(t))
  const flags = parseFlags(argv, FLAGS)
  if (flags.get('help')) {
    out(formatHelp(USAGE, FLAGS, FOOTER))
    return 0
  }
  const tolText = (flags.get('tolerance') as string | undefined) ?? '2'
  const tolerance = Number(tolText)
  if (!/^[0-9]+(\.[0-9]+)?$/.test(tolText) || !(tolerance <= 100)) {
    throw new UsageError(`--tolerance must be a percentage 0..100, got '${tolText}'`)
  }
  const mthpKiB = ((flags.get('mthp') as string[] | undefined) ?? []).map((v) => {
    const n = Number(v.replace(/k$/i, ''))
    if (!Number.isInteger(n) || n < 8 || (n & (n - 1)) !== 0) {
      throw new UsageError(`--mthp must be a power-of-two size in KiB ≥ 8, e.g. 64, got '${v}'`)
    }
    return n
  })
  const fs = deps.fs ?? new KernelFs('/')
  const helper = deps.helper ?? helperPath()
  const ops = deps.ops ?? realSystemOps(helper)
  let compressor = flags.get('compressor') as string | undefined
  if (compressor === undefined) {
    compressor = fs.exists(fs.zswapParams) ? fs.param('compressor') : 'lzo'
  }
  const maxPages = (flags.get('max-pages') as number | undefined) ?? DEFAULT_MAX_PAGES
  const corpora: Corpus[] = []
  for (const path of (flags.get('corpus') as string[] | undefined) ?? [samplePath()]) {
    try {
      corpora.push(await loadCorpus(path, maxPages))
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^\[[^\]]+\] /, ''))
    }
  }
  const sizes = (flags.get('sizes') as string | undefined) ?? 'auto'
  if (!['auto', 'helper', 'driver'].includes(sizes)) {
    throw new UsageError(`--sizes must be auto, helper or driver, got '${sizes}'`)
  }
  const swap =
    (flags.get('swap') as string | undefined) ??
    (mthpKiB.length > 0 && fs.exists(fs.path('sys/class/zram-control')) ? 'zram' : 'file')
  if (swap !== 'file' && swap !== 'zram') throw new UsageError(`--swap must be file or zram, got '${swap}'`)
  const json = flags.get('json') === true
  let result: KernelCheckResult
  try {
    result = await kernelCheck({
      corpora,
      compressor,
      tolerance: tolerance / 100,
      mthpKiB,
      swapDevice: swap,
      sizes: sizes as 'auto' | 'helper' | 'driver',
      swapDir: (flags.get('swap-dir') as string | undefined) ?? fs.path('var/tmp'),
      fs,
      ops,
      helper,
      log: (line) => err(`kernel-check: ${line}\n`),
      ...deps.check,
    })
  } catch (error) {
    // a setup step the machine refused (no debugfs, mkswap failed…) or a restore that failed: say
    // which; kernelCheck has undone what it could (a failed undo is named and kept in the journal)
    err(`kernel-check: cannot run: ${(error as Error).message}\n`)
    return 2
  }
  if (json) out(`${JSON.stringify(jsonResult(result), null, 2)}\n`)
  if (result.status === 'cannot-run') {
    err(`kernel-check: cannot run; missing:\n${result.missing.map((m) => `  - ${m}\n`).join('')}`)
    err('kernel-check: nothing was changed\n')
    return 2
  }
  if (!json) {
    out(
      `emulation: @zswap/cache (zero map, incompressible pages stored as-is) + zsmalloc (chain 8) · object sizes: ${result.sizeSource}\n`,
    )
    for (const c of result.checks) {
      out(
        `\n${c.corpus} (${c.kernel.pages} pages, ${compressor}${mthpKiB.length > 0 ? `, ${Math.max(...mthpKiB)}K folios` : ''})\n`,
      )
      out(`${formatRows(c.rows)}\n`)
      out(
        `kernel ratio ${poolRatio(c.kernel).toFixed(3)} · paged out in ${c.helper.rounds} MADV_PAGEOUT round(s)` +
          `${c.helper.resident > 0 ? ` · ${c.helper.resident} pages stayed resident` : ''}` +
          `${c.noise > 0 ? ` · ${c.noise} swap events of other processes meanwhile (figures blurred)` : ''}` +
          `${c.splitFolios > 0 ? ` · the kernel split ${c.splitFolios} large folios before swap-out (swpout_fallback: a rotational swap device?)` : ''}\n`,
      )
      if (c.helper.mismatches > 0) {
        out(
          `WRONG PAGES: ${c.helper.mismatches} pages read back differ (first: ${c.helper.firstBad.join(', ')})\n`,
        )
      }
    }
  }
  err(
    `kernel-check: restored ${result.changes.length} setting(s); ${result.ok ? 'match' : 'DIFFERENCES found'}\n`,
  )
  return result.ok ? 0 : 1
}
