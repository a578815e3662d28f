#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { COMBOS } from './fuzz/combos.js'
import { FAULT_KINDS, type FaultKind } from './fuzz/faults.js'
import { formatCombo, formatFuzzReport } from './fuzz/report.js'
import { runFuzz } from './fuzz/run.js'
import { randomSeed } from './prng.js'
import { usageError } from './usage.js'

const HELP = `pnpm fuzz [--ops N] [--seed S] [--combo NAME]... [--kinds a,b] [--fault-rate P] [--json]

Model-based fuzzing of @zswap/cache with faults over every compressor × zpool.
  --ops N          operations in all, split over the combinations (default 1000000)
  --seed S         master seed, 0..2^32-1 (default: random, printed)
  --combo NAME     run only this combination (repeatable): ${COMBOS.map((c) => c.name).join(', ')}
  --kinds a,b      fault kinds to inject (default all): ${FAULT_KINDS.join(', ')}
  --fault-rate P   probability an operation has a fault armed (default 0.35)
  --max-divergences N  per combination, before it stops (default 10)
  --json           print the report as one JSON document
Exit status: 0 no divergence, 1 divergences, 2 bad arguments.`

function main(): Promise<number> | number {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string' },
      seed: { type: 'string' },
      combo: { type: 'string', multiple: true },
      kinds: { type: 'string' },
      'fault-rate': { type: 'string' },
      'max-divergences': { type: 'string' },
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
  const ops = integer('ops', values.ops, 1, 1e10, 1_000_000)
  const seed = integer('seed', values.seed, 0, 2 ** 32 - 1, randomSeed())
  const maxDivergences = integer('max-divergences', values['max-divergences'], 1, 1e6, 10)
  const faultRate = values['fault-rate'] === undefined ? 0.35 : Number(values['fault-rate'])
  if (!(faultRate >= 0 && faultRate <= 1))
    usageError(`--fault-rate must be a number in [0, 1], got ${values['fault-rate']}`)
  for (const name of values.combo ?? []) {
    if (!COMBOS.some((c) => c.name === name))
      usageError(`--combo must be one of ${COMBOS.map((c) => c.name).join(', ')}, got ${name}`)
  }
  let kinds: FaultKind[] | undefined
  if (values.kinds !== undefined) {
    kinds = values.kinds.split(',').filter((k) => k !== '') as FaultKind[]
    for (const k of kinds)
      if (!FAULT_KINDS.includes(k))
        usageError(`--kinds: unknown fault kind ${k}; have ${FAULT_KINDS.join(', ')}`)
  }
  const json = values.json === true
  process.stderr.write(`zswap-reliability fuzz: seed ${seed}, ${ops} operations\n`)
  return runFuzz({
    ops,
    seed,
    combos: values.combo,
    kinds,
    faultRate,
    maxDivergences,
    onCombo: (c) => process.stderr.write(`${formatCombo(c)}\n`),
  }).then((report) => {
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatFuzzReport(report)}\n`)
    return report.divergences === 0 ? 0 : 1
  })
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
  if (code?.startsWith('ERR_PARSE_ARGS') || code === 'ERR_USAGE') {
    process.stderr.write(
      `zswap-reliability: ${(error as Error).message}\n${code === 'ERR_USAGE' ? '' : `${HELP}\n`}`,
    )
    process.exitCode = 2
  } else {
    throw error
  }
}
