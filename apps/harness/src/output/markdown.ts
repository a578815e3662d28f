import type { ComparisonReport } from '../schema.js'
import { bestRows, byWorkload, cell, columnsFor, legend } from './columns.js'

const esc = (s: string) => s.replace(/\|/g, '\\|')

/** GitHub-flavoured Markdown tables (one per workload), for pasting into issues and READMEs. */
export function formatMarkdown(report: ComparisonReport): string {
  const out: string[] = []
  for (const [workload, rows] of byWorkload(report)) {
    const columns = columnsFor(rows)
    const best = bestRows(rows, columns)
    out.push(`**${esc(workload)}**`, '')
    out.push(`| stack | ${columns.map((c) => c.head).join(' | ')} | integrity |`)
    out.push(`|---|${columns.map(() => '---:').join('|')}|---|`)
    rows.forEach((r, i) => {
      const cells = columns.map((c, j) => (best[j].has(i) ? `**${cell(c, r)}**` : cell(c, r)))
      out.push(
        `| ${r.pareto ? '◆ ' : ''}${esc(r.stack)} | ${cells.join(' | ')} | ${r.integrity.ok ? 'ok' : 'FAILED'} |`,
      )
    })
    out.push('')
  }
  out.push(legend(report).replace('* best', '**bold** best').replace(/\n/g, '  \n'))
  return out.join('\n')
}
