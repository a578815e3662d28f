import Table from 'cli-table3'
import type { ComparisonReport } from '../schema.js'
import { bestRows, byWorkload, cell, columnsFor, legend } from './columns.js'

/**
 * The terminal table: one block per workload, one row per stack, the best
 * figure of each column marked `*` (bold on a colour terminal) and the
 * Pareto-optimal stacks marked ◆.
 */
export function formatTable(report: ComparisonReport, options: { color?: boolean } = {}): string {
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s)
  const blocks: string[] = []
  for (const [workload, rows] of byWorkload(report)) {
    const columns = columnsFor(rows)
    const best = bestRows(rows, columns)
    const table = new Table({
      head: ['stack', ...columns.map((c) => c.head), 'integrity'],
      colAligns: ['left', ...columns.map(() => 'right' as const), 'left'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    })
    rows.forEach((r, i) => {
      table.push([
        `${r.pareto ? '◆ ' : '  '}${r.stack}`,
        ...columns.map((c, j) => (best[j].has(i) ? bold(`${cell(c, r)}*`) : `${cell(c, r)} `)),
        r.integrity.ok ? 'ok' : `FAILED (${r.integrity.mismatchedPages} bad pages)`,
      ])
    })
    blocks.push(`${bold(workload)}\n${table.toString()}`)
  }
  return `${blocks.join('\n\n')}\n${legend(report)}`
}
