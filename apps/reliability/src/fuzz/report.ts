import { FAULT_KINDS } from './faults.js'
import type { ComboReport, FuzzReport } from './run.js'

/** One line per combination. */
export function formatCombo(c: ComboReport): string {
  const faults = FAULT_KINDS.reduce((n, k) => n + c.faults[k], 0)
  return (
    `${c.name.padEnd(18)} seed ${String(c.seed).padStart(10)}  ops ${String(c.ops).padStart(8)}  ` +
    `${Math.round(c.ops / (c.ms / 1000))
      .toString()
      .padStart(6)} ops/s  stored ${c.stored}  loaded ${c.loaded}  written back ${c.writtenBack}  ` +
    `faults ${faults}  divergences ${c.divergences.length}${c.stoppedEarly ? ' (stopped early)' : ''}`
  )
}

/** A divergence message with its numbers blanked, to group divergences of one kind. */
export function divergenceKind(what: string): string {
  return what.replace(/\d+(\.\d+)?/g, 'N')
}

/** Divergences grouped by kind, most frequent first: [kind, count, combos]. */
export function groupDivergences(r: FuzzReport): [string, number, string[]][] {
  const groups = new Map<string, { n: number; combos: Set<string> }>()
  for (const c of r.combos) {
    for (const d of c.divergences) {
      const k = divergenceKind(d.what)
      const g = groups.get(k) ?? { n: 0, combos: new Set<string>() }
      g.n++
      g.combos.add(d.combo)
      groups.set(k, g)
    }
  }
  return [...groups]
    .map(([k, g]) => [k, g.n, [...g.combos]] as [string, number, string[]])
    .sort((a, b) => b[1] - a[1])
}

/**
 * The human-readable report: totals, faults per kind, divergences grouped by
 * kind, and the first `details` divergences with their trace and how to replay them.
 */
export function formatFuzzReport(r: FuzzReport, details = 10): string {
  const lines = [
    `seed ${r.seed}: ${r.ops} operations in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.opsPerSecond)} ops/s), divergences ${r.divergences}`,
    'faults injected:',
    ...FAULT_KINDS.map((k) => `  ${k.padEnd(20)} ${r.faults[k]}`),
  ]
  if (r.divergences > 0) {
    lines.push('divergences by kind:')
    for (const [kind, n, combos] of groupDivergences(r))
      lines.push(`  ${String(n).padStart(6)}  ${kind}  [${combos.join(' ')}]`)
  }
  let shown = 0
  for (const c of r.combos) {
    for (const d of c.divergences) {
      if (shown++ >= details) break
      lines.push(
        `DIVERGENCE ${d.combo} op ${d.op}: ${d.what}`,
        `  replay: pnpm fuzz --seed ${r.seed} --combo ${d.combo} --ops ${d.op + 1}${r.flags ? ` ${r.flags}` : ''}`,
        ...d.trace.map((t) => `    ${t}`),
      )
    }
  }
  return lines.join('\n')
}
