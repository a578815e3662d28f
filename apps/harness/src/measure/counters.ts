import type { ZswapStats } from '@zswap/cache'

/** Flattens a stats snapshot to `name → value`: `zswpout.4K`, `cgroup / zswpin`, ... */
export function flattenStats(stats: object): Map<string, number> {
  const out = new Map<string, number>()
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'number') out.set(name, value)
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, name === '' ? k : `${name}.${k}`)
    }
  }
  for (const [key, value] of Object.entries(stats)) {
    if (key === 'cgroups' && value !== null && typeof value === 'object') {
      for (const [cgroup, counters] of Object.entries(value)) {
        for (const [k, v] of Object.entries(counters as object)) walk(v, `cgroup ${cgroup} ${k}`)
      }
    } else walk(value, key)
  }
  return out
}

/** The cache's gauges (what is held now, as debugfs files are), by flat name; the other counters only grow. */
const GAUGES = new Set(['stored_pages', 'stored_objects', 'pool_total_size', 'stored_incompressible_pages'])

/**
 * True for a gauge: `stored_pages`, `stored_objects`, `pool_total_size`, `stored_incompressible_pages`
 * and a cgroup's `zswap`/`zswapped`. Reports show gauges as they were with
 * everything stored, cumulative counters as they are at the end.
 */
export function isGauge(name: string): boolean {
  return GAUGES.has(name) || / (zswap|zswapped)$/.test(name)
}

/** Every counter as a flat record: gauges from `afterStore`, cumulative counters from `end`. */
export function counterRecord(
  afterStore: ZswapStats | undefined,
  end: ZswapStats | undefined,
): Record<string, number> {
  if (afterStore === undefined || end === undefined) return {}
  const a = flattenStats(afterStore)
  const e = flattenStats(end)
  const out: Record<string, number> = {}
  for (const name of new Set([...a.keys(), ...e.keys()]))
    out[name] = (isGauge(name) ? a.get(name) : e.get(name)) ?? 0
  return out
}
