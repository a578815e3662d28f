import { flattenStats } from '../measure/counters.js'
import type { ComparisonReport, StackResult } from '../schema.js'

const quote = (v: unknown) => {
  const s = v === undefined ? '' : String(v)
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Flat fields of one result: figures, integrity, pressure results and every counter (`counter:<name>`). */
function fields(r: StackResult): Map<string, unknown> {
  const m = new Map<string, unknown>([
    ['workload', r.workload],
    ['stack', r.stack],
    ['baseline', r.baseline],
    ['medianOf', r.medianOf],
    ['pareto', r.pareto],
    ['timing', r.timing ?? 'measured'],
    ['model', r.model],
    ['pages', r.pages],
    ['folios', r.folios],
    ['storedPages', r.storedPages],
    ['rejectedFolios', r.rejectedFolios],
    ['zeroPages', r.zeroPages],
    ['incompressiblePages', r.incompressiblePages],
    ['diskPages', r.diskPages],
    ['compressedBytes', r.compressedBytes],
    ['storeMBps', r.storeMBps],
    ['loadMBps', r.loadMBps],
    ['ratio', r.ratio],
    ['effectiveRatio', r.effectiveRatio],
    ['poolPages', r.poolPages],
    ['scaleObjects', r.scaleObjects],
    ['poolPagesAtScale', r.poolPagesAtScale],
    ['effectiveRatioAtScale', r.effectiveRatioAtScale],
    ['cpuMs', r.cpuMs],
    ['peakRssBytes', r.peakRssBytes],
  ])
  for (const phase of ['store', 'load'] as const) {
    for (const [k, v] of Object.entries(r[phase])) m.set(`${phase}.${k}`, v)
  }
  m.set('integrity', r.integrity.ok ? 'ok' : 'failed')
  m.set('mismatchedPages', r.integrity.mismatchedPages)
  m.set('failedLoads', r.integrity.failedLoads)
  m.set('firstMismatchPage', r.integrity.firstMismatch?.page)
  if (r.pressure !== undefined) {
    const { poolTimeline: _, rejects, ...rest } = r.pressure
    for (const [k, v] of Object.entries(rest)) m.set(`pressure.${k}`, v)
  }
  for (const [k, v] of Object.entries(r.counters)) m.set(`counter:${k}`, v)
  if (r.driverStats !== undefined && typeof r.driverStats === 'object' && r.driverStats !== null) {
    for (const [k, v] of flattenStats(r.driverStats)) m.set(`driver:${k}`, v)
  }
  return m
}

/** One CSV row per stack and workload; the header is the union of every row's fields. */
export function formatCsv(report: ComparisonReport): string {
  const rows = report.results.map(fields)
  const head: string[] = []
  for (const row of rows) for (const k of row.keys()) if (!head.includes(k)) head.push(k)
  return [head.map(quote).join(','), ...rows.map((row) => head.map((k) => quote(row.get(k))).join(','))].join(
    '\n',
  )
}
