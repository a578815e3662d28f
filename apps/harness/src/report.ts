import Table from 'cli-table3'
import { flattenStats, isGauge } from './measure/counters.js'
import type { HarnessReport, RunResult } from './run.js'

export { flattenStats } from './measure/counters.js'

const num = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** A table with one column per run: the headline figures, then every stats counter that is not zero. */
export function formatReport(report: HarnessReport): string {
  const runs = report.runs
  const table = new Table({
    head: ['', ...runs.map((_, i) => `run ${i + 1}`)],
    colAligns: ['left', ...runs.map(() => 'right' as const)],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  })
  const row = (label: string, f: (r: RunResult) => string) => table.push([label, ...runs.map(f)])
  row('stack', (r) => r.stack)
  if (runs.some((r) => r.backend !== undefined)) row('compressor backend', (r) => r.backend ?? '-')
  row('corpus', (r) => r.corpus)
  row('folio', (r) => `order ${r.folioOrder} (${4 << r.folioOrder} KiB)`)
  row('pages', (r) => num(r.pages))
  row('pages stored', (r) => num(r.storedPages))
  row('compression ratio', (r) => num(r.ratio, 3))
  row('ratio incl. pool overhead', (r) => num(r.poolRatio, 3))
  row('store MB/s', (r) => num(r.store.MBps, 1))
  row('store p50 / p99 µs', (r) => `${num(r.store.p50Us, 1)} / ${num(r.store.p99Us, 1)}`)
  row('load MB/s', (r) => num(r.load.MBps, 1))
  row('load p50 / p99 µs', (r) => `${num(r.load.p50Us, 1)} / ${num(r.load.p99Us, 1)}`)
  row('pool pages (all stored)', (r) => num(r.poolPages))
  row('pool pages (all loaded)', (r) => num(r.poolPagesAfterLoad))
  row('integrity', (r) =>
    r.integrity === 'ok'
      ? 'ok'
      : `FAILED (${r.mismatchedPages} bad pages, ${r.failedLoads} failed loads, ${r.unexpectedLoads} loads of rejected folios)`,
  )
  // Gauges (stored_pages, pool_total_size, cgroup zswap/zswapped) are shown as they were with
  // everything stored; cumulative counters as they are at the end.
  const after = runs.map((r) => flattenStats(r.statsAfterStore))
  const end = runs.map((r) => flattenStats(r.stats))
  const names: string[] = []
  for (const m of [...after, ...end]) for (const k of m.keys()) if (!names.includes(k)) names.push(k)
  for (const name of names) {
    const values = runs.map((_, i) => (isGauge(name) ? after[i] : end[i]).get(name) ?? 0)
    if (values.every((v) => v === 0)) continue
    table.push([isGauge(name) ? `${name} (all stored)` : name, ...values.map((v) => num(v))])
  }
  return table.toString()
}

/** One line per failed run, or an empty array when every run passed. */
export function integrityFailures(report: HarnessReport): string[] {
  return report.runs
    .map((r, i) =>
      r.integrity === 'ok'
        ? ''
        : `run ${i + 1} (${r.stack}, ${r.corpus}): ${r.mismatchedPages} loaded pages differ from the stored ` +
          `pages, ${r.failedLoads} stored folios failed to load, ${r.unexpectedLoads} rejected folios loaded` +
          (r.firstError === undefined ? '' : `; first error: ${r.firstError}`),
    )
    .filter((line) => line !== '')
}
