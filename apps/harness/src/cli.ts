#!/usr/bin/env node
import { cac } from 'cac'
import { type Corpus, readCorpus, readSample } from './corpus.js'
import { FAULT_KINDS, type FaultKind, faultyCompressor } from './faults.js'
import { formatReport, integrityFailures } from './report.js'
import { runHarness } from './run.js'
import {
  COMPRESSOR_NAMES,
  type CompressorName,
  createStack,
  isUsageError,
  type StackSpec,
  ZPOOL_NAMES,
  type ZpoolName,
} from './stacks.js'

interface Flags {
  corpus?: string
  folioOrder: number | string
  compressor: string
  zpool: string
  json?: boolean
  runs: number | string
  warmup: number | string
  injectFault?: string
}

class UsageError extends Error {}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${value}`)
  }
  return value as T
}

function integer(flag: string, value: number | string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer in ${min}..${max}, got ${value}`)
  }
  return n
}

async function main(flags: Flags): Promise<number> {
  const spec: StackSpec = {
    compressor: choice<CompressorName>('compressor', String(flags.compressor), COMPRESSOR_NAMES),
    zpool: choice<ZpoolName>('zpool', String(flags.zpool), ZPOOL_NAMES),
  }
  const folioOrder = integer('folio-order', flags.folioOrder, 0, 9)
  const runs = integer('runs', flags.runs, 1, 1000)
  const warmup = integer('warmup', flags.warmup, 0, 1000)
  const fault =
    flags.injectFault === undefined
      ? undefined
      : choice<FaultKind>('inject-fault', String(flags.injectFault), FAULT_KINDS)
  const corpus: Corpus = flags.corpus === undefined ? readSample() : readCorpus(String(flags.corpus))
  const report = await runHarness({
    corpus,
    folioOrder,
    runs,
    warmup,
    createStack: async () => {
      const stack = await createStack(spec)
      if (fault === undefined || !('compress' in stack.compressor)) return stack
      return { ...stack, compressor: faultyCompressor(stack.compressor, { kind: fault }) }
    },
  })
  if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stdout.write(`${formatReport(report)}\n`)
  const failures = integrityFailures(report)
  if (failures.length > 0) {
    process.stderr.write(`zswap-harness: integrity check failed\n${failures.map((l) => `  ${l}\n`).join('')}`)
    return 1
  }
  return 0
}

const cli = cac('zswap-harness')
cli
  .command('', 'Store then load a page corpus through a zswap stack, check every page, and report.')
  .option(
    '--corpus <file>',
    'Page corpus: raw 4096-byte pages (.pages) or the same zstd-compressed (.pages.zst)',
  )
  .option('--folio-order <n>', 'Store folios of 2^n neighbouring pages (0..9; > 0 turns on mthpEnabled)', {
    default: 0,
  })
  .option('--compressor <name>', `Compressor: ${COMPRESSOR_NAMES.join(' | ')}`, { default: 'lz4' })
  .option('--zpool <name>', `Zpool: ${ZPOOL_NAMES.join(' | ')}`, { default: 'zbud' })
  .option('--json', 'Print one JSON document { runs: [...] } instead of a table')
  .option('--runs <n>', 'Repeat the run n times, each on a fresh stack', { default: 1 })
  .option('--warmup <n>', 'Unreported runs first, so the JIT has compiled the hot paths', { default: 1 })
  .option(
    '--inject-fault <kind>',
    `Check the checker: make some decompressions go wrong (${FAULT_KINDS.join(' | ')}); the run must fail`,
  )
  .example('zswap-harness')
  .example('zswap-harness --corpus ../shared/corpus/redis-mixed.pages.zst --folio-order 2 --json')
  .action(async (flags: Flags) => {
    process.exitCode = await main(flags)
  })
cli.help()

try {
  cli.parse(process.argv, { run: false })
  await cli.runMatchedCommand()
} catch (error) {
  if (error instanceof UsageError || isUsageError(error) || (error as Error).name === 'CACError') {
    const { message } = error as Error
    process.stderr.write(`${message.startsWith('[') ? message : `zswap-harness: ${message}`}\n`)
    process.exitCode = 2
  } else {
    throw error
  }
}
