import type { ComparisonReport, StackResult } from '../schema.js'

/** A column of the comparison table: how to read it, format it, and which way is better. */
export interface Column {
  readonly head: string
  readonly value: (r: StackResult) => number | string
  readonly format?: (x: number) => string
  /** Which way is better, for marking the best value; absent: not marked. */
  readonly better?: 'higher' | 'lower'
  /** Only shown for pressure workloads. */
  readonly pressure?: boolean
}

const n = (digits: number) => (x: number) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** The table's columns, shared by the terminal, Markdown and HTML tables. */
export const COLUMNS: readonly Column[] = [
  { head: 'store MB/s', value: (r) => r.storeMBps, format: n(0), better: 'higher' },
  { head: 'load MB/s', value: (r) => r.loadMBps, format: n(0), better: 'higher' },
  { head: 'ratio', value: (r) => r.ratio, format: n(2), better: 'higher' },
  { head: 'eff. ratio', value: (r) => r.effectiveRatio, format: n(2), better: 'higher' },
  { head: 'store p50 µs', value: (r) => r.store.p50Us, format: n(1), better: 'lower' },
  { head: 'store p99 µs', value: (r) => r.store.p99Us, format: n(1), better: 'lower' },
  { head: 'load p50 µs', value: (r) => r.load.p50Us, format: n(1), better: 'lower' },
  { head: 'load p99 µs', value: (r) => r.load.p99Us, format: n(1), better: 'lower' },
  // Not marked: a stack that rejects more pages holds fewer pool pages without being better.
  { head: 'stored %', value: (r) => (r.pages > 0 ? (100 * r.storedPages) / r.pages : 0), format: n(0) },
  { head: 'pool pages', value: (r) => r.poolPages, format: n(0) },
  { head: 'CPU ms', value: (r) => r.cpuMs, format: n(0), better: 'lower' },
  { head: 'peak RSS MiB', value: (r) => r.peakRssBytes / 2 ** 20, format: n(0) },
  {
    head: 'written back',
    value: (r) => r.pressure?.writtenBack ?? 0,
    format: n(0),
    pressure: true,
  },
  {
    head: 'rejected folios',
    value: (r) => r.pressure?.rejectedFolios ?? 0,
    format: n(0),
    pressure: true,
  },
  {
    head: 'from swap file',
    value: (r) => r.pressure?.pagesFromSwapFile ?? 0,
    format: n(0),
    pressure: true,
  },
]

/** The columns shown for one workload's rows. */
export function columnsFor(rows: readonly StackResult[]): Column[] {
  const pressure = rows.some((r) => r.pressure !== undefined)
  return COLUMNS.filter((c) => pressure || !c.pressure)
}

/** For each column, the rows holding its best value (ties included; memcpy baseline excluded; none with one stack). */
export function bestRows(rows: readonly StackResult[], columns: readonly Column[]): Set<number>[] {
  const candidates = rows.map((r, i) => [r, i] as const).filter(([r]) => !r.baseline)
  return columns.map((c) => {
    const out = new Set<number>()
    if (c.better === undefined || candidates.length < 2) return out
    const values = candidates.map(([r]) => c.value(r) as number)
    const best = c.better === 'higher' ? Math.max(...values) : Math.min(...values)
    candidates.forEach(([, i], k) => {
      if (values[k] === best) out.add(i)
    })
    return out
  })
}

/** Results grouped by workload id, in report order. */
export function byWorkload(report: ComparisonReport): [string, StackResult[]][] {
  return report.workloads.map((w) => [w.id, report.results.filter((r) => r.workload === w.id)])
}

/** A cell's text. */
export function cell(c: Column, r: StackResult): string {
  const v = c.value(r)
  return typeof v === 'number' ? (c.format ?? String)(v) : v
}

/** The legend printed under every table. */
export function legend(report: ComparisonReport): string {
  const { runs, warmup } = report.settings
  return (
    `Figures are medians of ${runs} run${runs === 1 ? '' : 's'} each (after ${warmup} warm-up), stacks interleaved; ` +
    'MB/s of uncompressed data (10^6 bytes); latency per folio call. ' +
    '* best in column (memcpy baseline excluded); ◆ Pareto-optimal (compression ratio vs store MB/s).' +
    modeledNote(report) +
    backends(report)
  )
}

/** What a "(modeled)" row means, when the report has one. */
function modeledNote(report: ComparisonReport): string {
  const models = [...new Set(report.results.flatMap((r) => (r.timing === 'modeled' ? [r.model] : [])))]
  if (models.length === 0) return ''
  return (
    ` (modeled) rows: MODELED store/load MB/s and latency — the cache's measured time plus the IAA device time of ` +
    `model ${models.join(', ')} (calibrated to published Sapphire Rapids figures); ratio, pool, CPU and RSS are measured. ` +
    '(emulation, measured) rows: what the emulation took on this machine.'
  )
}

/** Which library each stack's codec ran on, for drivers with several (lz4 on liblz4 or lz4-napi). */
function backends(report: ComparisonReport): string {
  const seen = new Map<string, string>()
  for (const r of report.results) if (r.backend !== undefined) seen.set(r.stack, r.backend)
  if (seen.size === 0) return ''
  return ` Codec library: ${[...seen].map(([stack, backend]) => `${stack} on ${backend}`).join(', ')}.`
}
