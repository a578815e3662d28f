import { SingleBar } from 'cli-progress'
import { type FlagSpec, formatHelp, parseFlags } from '../cli/args.js'
import { UsageError } from '../spec/usage-error.js'
import { type CaptureSummary, capture } from './capture.js'
import { captureSelfTest, SELF_TEST_PAGES } from './self-test.js'

const FLAGS: FlagSpec[] = [
  { name: 'pid', type: 'int', min: 1, max: 1 << 30, value: 'N', help: 'The process to capture' },
  {
    name: 'out',
    type: 'string',
    value: 'FILE',
    help: 'Corpus to write: FILE.pages.zst (zstd) or FILE.pages (raw)',
  },
  {
    name: 'max-pages',
    type: 'int',
    min: 1,
    max: 1 << 26,
    value: 'N',
    help: 'Stop after N pages (default: all)',
  },
  {
    name: 'self-test',
    type: 'bool',
    help: 'Capture a child process holding known pages and check the result',
  },
  { name: 'help', type: 'bool', help: 'Show this help' },
]
const USAGE = 'usage: zswap-harness capture --pid N --out app.pages.zst [--max-pages N] | --self-test'
const FOOTER = `Reads the private anonymous memory of a running process (/proc/N/maps, /proc/N/pagemap, /proc/N/mem:
root, or the process's own user with ptrace permission), resident or swapped pages only, in address
order, and writes a page corpus for --corpus. Pages mapped to the shared zero page are left out when
/proc/kpageflags can be read (root). Unreadable ranges are skipped and counted.
Exit:     0 written (self-test: passed) · 1 self-test failed · 2 cannot read the process or a usage mistake.`

function summaryLine(s: CaptureSummary): string {
  const pct = s.pages === 0 ? 0 : (100 * s.zeroPages) / s.pages
  return (
    `${s.pages.toLocaleString('en-US')} pages (${((s.pages * 4096) / 2 ** 20).toFixed(1)} MiB) from ${s.mappings} mappings; ` +
    `${s.zeroPages.toLocaleString('en-US')} zero pages (${pct.toFixed(2)} %); ` +
    `${s.skippedPages.toLocaleString('en-US')} not resident or shared-zero left out` +
    `${s.unreadableRanges > 0 ? `; ${s.unreadableRanges} unreadable ranges skipped` : ''}`
  )
}

function progressBar(enabled: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar({
    stream: process.stderr,
    format: ' {bar} {percentage}% · {value}/{total} pages of the mappings',
    hideCursor: true,
    clearOnComplete: true,
  })
  let started = false
  return {
    update(done, total) {
      if (!started) bar.start(total, 0)
      started = true
      bar.update(done)
    },
    stop: () => bar.stop(),
  }
}

/** `zswap-harness capture`: returns the exit code. */
export async function captureMain(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, FLAGS)
  if (flags.get('help')) {
    process.stdout.write(formatHelp(USAGE, FLAGS, FOOTER))
    return 0
  }
  const bar = progressBar(process.stderr.isTTY === true)
  if (flags.get('self-test')) {
    if (flags.has('pid') || flags.has('out')) throw new UsageError('--self-test takes no --pid or --out')
    try {
      const r = await captureSelfTest((d, t) => bar.update(d, t))
      bar.stop()
      process.stdout.write(`capture self-test: ${summaryLine(r.summary)}\n`)
      process.stdout.write(
        `capture self-test: ${r.found}/${SELF_TEST_PAGES} known pages found whole${r.inOrder ? ', in address order' : ', OUT OF ORDER'}: ${r.ok ? 'ok' : 'FAILED'}\n`,
      )
      return r.ok ? 0 : 1
    } finally {
      bar.stop()
    }
  }
  const pid = flags.get('pid') as number | undefined
  const out = flags.get('out') as string | undefined
  if (pid === undefined || out === undefined)
    throw new UsageError('capture needs --pid N and --out FILE (or --self-test)')
  if (!out.endsWith('.pages') && !out.endsWith('.pages.zst')) {
    throw new UsageError(`--out must end in .pages or .pages.zst, got '${out}'`)
  }
  let summary: CaptureSummary
  try {
    const maxPages = flags.get('max-pages') as number | undefined
    summary = await capture({
      pid,
      out,
      ...(maxPages ? { maxPages } : {}),
      onProgress: (d, t) => bar.update(d, t),
    })
  } catch (error) {
    bar.stop()
    const e = error as NodeJS.ErrnoException
    const why =
      e.code === 'ENOENT'
        ? `no process ${pid}`
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? `no permission to read process ${pid}'s memory (run as root, or as its user with ptrace allowed)`
          : e.message
    process.stderr.write(`zswap-harness capture: ${why}\n`)
    return 2
  }
  bar.stop()
  process.stdout.write(`wrote ${out}: ${summaryLine(summary)}\n`)
  return 0
}
