import type { ComparisonReport, StackResult } from '../schema.js'

/** A column of the comparison table: how to read it, format it, when to show it, which way is better, what it means. */
export interface Column {
  readonly head: string
  readonly value: (r: StackResult) => number | string
  readonly format?: (x: number) => string
  /** Which way is better, for marking the best value; absent: not marked. */
  readonly better?: 'higher' | 'lower'
  /** Shown only for a workload whose rows pass this test; absent: always shown. */
  readonly when?: (rows: readonly StackResult[]) => boolean
  /** What the figure is, for the footer under every table (shown when the column is); absent: said by the head. */
  readonly definition?: (report: ComparisonReport) => string
}

const n = (digits: number) => (x: number) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : x > 0
      ? '∞'
      : '–'

const isPressure = (rows: readonly StackResult[]) => rows.some((r) => r.pressure !== undefined)

/** The table's columns, shared by the terminal, Markdown and HTML tables; their definitions make the footer. */
export const COLUMNS: readonly Column[] = [
  { head: 'store MB/s', value: (r) => r.storeMBps, format: n(0), better: 'higher' },
  { head: 'load MB/s', value: (r) => r.loadMBps, format: n(0), better: 'higher' },
  {
    head: 'ratio',
    value: (r) => r.ratio,
    format: n(2),
    better: 'higher',
    definition: () =>
      'ratio: every page of the workload ÷ the bytes it took: its compressed size; 0 for a zero-filled ' +
      'page (kept out of zswap by the zero map, "zero"); 4096 for a page stored as-is ("incompr."); ' +
      '4096 for a page rejected or written back, which the kernel writes to the swap device.',
  },
  {
    head: 'eff. ratio',
    value: (r) => r.effectiveRatio,
    format: n(2),
    better: 'higher',
    definition: () =>
      'eff. ratio: the same with the pages the zpool held instead of compressed bytes, as measured in ' +
      'the run (a small pool: the last, partly filled zspage of each size class weighs heavily).',
  },
  {
    head: 'eff. ratio at scale',
    // '–': not measured at scale (the zpool's page budget could not hold it)
    value: (r) => (r.baseline || r.scaleObjects > 0 ? r.effectiveRatioAtScale : '–'),
    format: n(2),
    better: 'higher',
    when: (rows) => rows.some((r) => r.scaleObjects > 0),
    definition: (report) =>
      `eff. ratio at scale: with the pool at steady state: the run's objects allocated again, cycled, ` +
      `in a fresh zpool of the same kind until ${report.settings.scaleObjects.toLocaleString('en-US')} ` +
      "objects, its pages per object × the run's objects ('–': the zpool's page budget cannot hold that many).",
  },
  { head: 'store p50 µs', value: (r) => r.store.p50Us, format: n(1), better: 'lower' },
  { head: 'store p99 µs', value: (r) => r.store.p99Us, format: n(1), better: 'lower' },
  { head: 'load p50 µs', value: (r) => r.load.p50Us, format: n(1), better: 'lower' },
  { head: 'load p99 µs', value: (r) => r.load.p99Us, format: n(1), better: 'lower' },
  // Not marked: a stack that rejects more pages holds fewer pool pages without being better.
  {
    head: 'stored %',
    value: (r) => (r.pages > 0 ? (100 * r.storedPages) / r.pages : 0),
    format: n(0),
    definition: () => 'stored %: pages kept in memory (zswap or the zero map).',
  },
  { head: 'zero', value: (r) => r.zeroPages, format: n(0) },
  { head: 'incompr.', value: (r) => r.incompressiblePages, format: n(0) },
  { head: 'pool pages', value: (r) => r.poolPages, format: n(0) },
  { head: 'CPU ms', value: (r) => r.cpuMs, format: n(0), better: 'lower' },
  { head: 'peak RSS MiB', value: (r) => r.peakRssBytes / 2 ** 20, format: n(0) },
  {
    head: 'written back',
    value: (r) => r.pressure?.writtenBack ?? 0,
    format: n(0),
    when: isPressure,
  },
  {
    head: 'rejected folios',
    value: (r) => r.pressure?.rejectedFolios ?? 0,
    format: n(0),
    when: isPressure,
  },
  {
    head: 'from swap file',
    value: (r) => r.pressure?.pagesFromSwapFile ?? 0,
    format: n(0),
    when: isPressure,
  },
]

/** The columns shown for one workload's rows. */
export function columnsFor(rows: readonly StackResult[]): Column[] {
  return COLUMNS.filter((c) => c.when === undefined || c.when(rows))
}

/** For each column, the rows holding its best value (ties included; memcpy baseline excluded; none with one stack). */
export function bestRows(rows: readonly StackResult[], columns: readonly Column[]): Set<number>[] {
  const candidates = rows.map((r, i) => [r, i] as const).filter(([r]) => !r.baseline)
  return columns.map((c) => {
    const out = new Set<number>()
    if (c.better === undefined || candidates.length < 2) return out
    const values = candidates.map(([r]) => c.value(r))
    const numbers = values.filter((v): v is number => typeof v === 'number')
    if (numbers.length < 2) return out
    const best = c.better === 'higher' ? Math.max(...numbers) : Math.min(...numbers)
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

/** The legend printed under every table: how figures were taken, then what each shown column means. */
export function legend(report: ComparisonReport): string {
  const { runs, warmup } = report.settings
  const shown = new Set(byWorkload(report).flatMap(([, rows]) => columnsFor(rows)))
  const definitions = COLUMNS.filter((c) => shown.has(c) && c.definition !== undefined).map((c) =>
    c.definition!(report),
  )
  return (
    `Figures are medians of ${runs} run${runs === 1 ? '' : 's'} each (after ${warmup} warm-up), stacks interleaved; ` +
    'MB/s of uncompressed data (10^6 bytes); latency per folio call. ' +
    '* best in column (memcpy baseline excluded); ◆ Pareto-optimal (compression ratio vs store MB/s).' +
    modeledNote(report) +
    backends(report) +
    (definitions.length > 0 ? `\n${definitions.join('\n')}` : '')
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
