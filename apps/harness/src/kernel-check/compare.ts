import { type CheckFigures, poolRatio } from './emulate.js'

/** One line of the side-by-side table. */
export interface CompareRow {
  readonly name: string
  readonly kernel: number
  readonly emulated: number
  /** (emulated − kernel) / kernel; 0 when both are 0, ±Infinity when only the kernel's is 0. */
  readonly diff: number
  /** 'count': must be equal; 'pool': within the tolerance; 'info': shown only. */
  readonly rule: 'count' | 'pool' | 'info'
  readonly ok: boolean
}

function relative(kernel: number, emulated: number): number {
  if (kernel === emulated) return 0
  if (kernel === 0) return emulated > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  return (emulated - kernel) / kernel
}

/**
 * The rows kernel-check prints: page counts (equal or failed), the pool
 * (within `tolerance`, a fraction), the ratio (shown), large-folio stores by size.
 */
export function compareFigures(
  kernel: CheckFigures,
  emulated: CheckFigures,
  tolerance: number,
): CompareRow[] {
  const rows: CompareRow[] = []
  const add = (name: string, k: number, e: number, rule: CompareRow['rule']) => {
    const diff = relative(k, e)
    const ok = rule === 'info' || (rule === 'count' ? k === e : Math.abs(diff) <= tolerance)
    rows.push({ name, kernel: k, emulated: e, diff, rule, ok })
  }
  add('stored_pages', kernel.stored, emulated.stored, 'count')
  add('swpout_zero', kernel.zero, emulated.zero, 'count')
  add('stored_incompressible_pages', kernel.incompressible, emulated.incompressible, 'count')
  add('rejects', kernel.rejects, emulated.rejects, 'count')
  add('pool_total_size', kernel.poolBytes, emulated.poolBytes, 'pool')
  add('ratio', poolRatio(kernel), poolRatio(emulated), 'info')
  const sizes = new Set([...kernel.zswpoutByKiB.keys(), ...emulated.zswpoutByKiB.keys()])
  for (const kb of [...sizes].sort((a, b) => a - b)) {
    add(
      `zswpout ${kb}K folios`,
      kernel.zswpoutByKiB.get(kb) ?? 0,
      emulated.zswpoutByKiB.get(kb) ?? 0,
      'count',
    )
  }
  return rows
}

function formatValue(row: CompareRow, v: number): string {
  if (row.name === 'ratio') return v.toFixed(3)
  return v.toLocaleString('en-US')
}

function formatDiff(d: number): string {
  if (d === 0) return '0'
  if (!Number.isFinite(d)) return d > 0 ? '+∞' : '−∞'
  return `${d > 0 ? '+' : ''}${(d * 100).toFixed(2)} %`
}

/** The side-by-side table as text. */
export function formatRows(rows: readonly CompareRow[]): string {
  const head = ['', 'kernel', 'emulated', 'diff', '']
  const body = rows.map((r) => [
    r.name,
    formatValue(r, r.kernel),
    formatValue(r, r.emulated),
    formatDiff(r.diff),
    r.rule === 'info' ? '' : r.ok ? 'ok' : 'DIFFERS',
  ])
  const all = [head, ...body]
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)))
  return all
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(width[c]) : cell.padStart(width[c]))).join('  '))
    .join('\n')
}
