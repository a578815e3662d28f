#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { runSoak, type SoakReport } from './soak/run.js'
import { usageError } from './usage.js'

const HELP = `pnpm soak [--pages N] [--corpus FILE|DIR] [--pool-limit-pages N] [--dir DIR] [--json]

Stores N pages (default 1000000 = 4 GiB logical) through lz4 + zsmalloc with a pool limit that forces
write-back to a file swap device, loads every page back and compares.
  --pages N             pages to store and load back (default 1000000)
  --corpus PATH         a .pages/.pages.zst file or a directory of them (default: $ZSWAP_CORPUS,
                        else the sample bundled with apps/harness)
  --pool-limit-pages N  pool limit in 4 KiB pages (default 16384 = 64 MiB)
  --dir DIR             where the temporary swap file goes (default: the OS temp dir)
  --json                print the report as one JSON document
Exit status: 0 every page came back and the pool is empty, 1 otherwise, 2 bad arguments.`

const MiB = 2 ** 20

function format(r: SoakReport): string {
  return [
    `soak: ${r.pages} pages (${((r.pages * 4096) / 2 ** 30).toFixed(2)} GiB logical) from ${r.corpus}, pool limit ${r.poolLimitPages} pages`,
    `  stored ${r.stored}, rejected ${r.rejected} (written to the swap file directly), written back ${r.writtenBack}`,
    `  loaded back: ${r.loadedFromCache} from the cache, ${r.readFromDevice} from the swap file; mismatches ${r.mismatches}`,
    `  peak RSS ${(r.peakRssBytes / MiB).toFixed(0)} MiB (start ${(r.rssStartBytes / MiB).toFixed(0)} MiB) against peak pool ${(r.peakPoolBytes / MiB).toFixed(1)} MiB`,
    `  store µs/page: first 10K ${r.storeUsPerPageFirst10K.toFixed(1)}, last 10K ${r.storeUsPerPageLast10K.toFixed(1)}, all ${r.storeUsPerPageAll.toFixed(1)}; load µs/page ${r.loadUsPerPage.toFixed(1)}`,
    `  at the end: pool pages ${r.poolPagesEnd}, stored pages ${r.storedPagesEnd}; ${r.seconds.toFixed(0)} s`,
  ].join('\n')
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      pages: { type: 'string' },
      corpus: { type: 'string' },
      'pool-limit-pages': { type: 'string' },
      dir: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const pages = integer('pages', values.pages, 1, 2 ** 31 - 1, 1_000_000)
  const poolLimitPages = integer('pool-limit-pages', values['pool-limit-pages'], 1, 2 ** 31 - 1, 16_384)
  if (values.corpus === '') usageError('--corpus must be a path')
  const report = await runSoak({
    pages,
    poolLimitPages,
    corpus: values.corpus,
    dir: values.dir,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  })
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${format(report)}\n`)
  return report.mismatches === 0 && report.poolPagesEnd === 0 && report.storedPagesEnd === 0 ? 0 : 1
}

function integer(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max)
    usageError(`--${flag} must be an integer in ${min}..${max}, got ${value}`)
  return n
}

try {
  process.exitCode = await main()
} catch (error) {
  const code = (error as { code?: string }).code
  if (code?.startsWith('ERR_PARSE_ARGS') || code === 'ERR_USAGE' || code === 'ERR_INVALID_ARGUMENT') {
    const { message } = error as Error
    process.stderr.write(`${message.startsWith('[') ? message : `zswap-reliability: ${message}`}\n`)
    process.exitCode = 2
  } else {
    throw error
  }
}
