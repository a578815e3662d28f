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

/** The human-readable report: totals, faults per kind, and each divergence with how to replay it. */
export function formatFuzzReport(r: FuzzReport): string {
  const lines = [
    `seed ${r.seed}: ${r.ops} operations in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.opsPerSecond)} ops/s), divergences ${r.divergences}`,
    'faults injected:',
    ...FAULT_KINDS.map((k) => `  ${k.padEnd(20)} ${r.faults[k]}`),
  ]
  for (const c of r.combos) {
    for (const d of c.divergences) {
      lines.push(
        `DIVERGENCE ${d.combo} op ${d.op}: ${d.what}`,
        `  replay: pnpm fuzz --seed ${r.seed} --combo ${d.combo} --ops ${d.op + 1}`,
        ...d.trace.map((t) => `    ${t}`),
      )
    }
  }
  return lines.join('\n')
}
