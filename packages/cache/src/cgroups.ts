import { invalidOption, UnknownCgroupError } from '@zswap/core'
import type { LruList } from './entry-table.js'
import { assertOptionKeys, CGROUP_OPTION_KEYS, type CgroupOptions, type CgroupStats } from './options.js'

/** Name of the root cgroup, which folios without a `cgroup` are charged to. */
export const ROOT_CGROUP = '/'
const MAX_CGROUPS = 65535

/** One cgroup's settings, counters and LRU (one object per cgroup, not per page). */
export interface Cgroup extends CgroupStats, LruList {
  readonly id: number
  readonly name: string
  zswapMax: number
  writeback: boolean
}

/** The cgroups a cache knows, by name and by id. */
export class Cgroups {
  readonly list: Cgroup[] = []
  #byName = new Map<string, Cgroup>()

  constructor() {
    this.create(ROOT_CGROUP)
  }

  create(name: string, options: CgroupOptions = {}): Cgroup {
    if (typeof name !== 'string' || name.length === 0) {
      throw invalidOption('@zswap/cache', 'name', 'a non-empty string', 'type')
    }
    if (this.#byName.has(name)) throw invalidOption('@zswap/cache', 'name', `new; cgroup ${name} exists`)
    if (this.list.length >= MAX_CGROUPS)
      throw invalidOption('@zswap/cache', 'name', 'one of at most 65535 cgroups')
    const cgroup: Cgroup = {
      id: this.list.length,
      name,
      zswapMax: Number.POSITIVE_INFINITY,
      writeback: true,
      zswap: 0,
      zswapped: 0,
      zswpout: 0,
      zswpin: 0,
      zswpwb: 0,
      head: -1,
      tail: -1,
    }
    this.set(cgroup, options)
    this.list.push(cgroup)
    this.#byName.set(name, cgroup)
    return cgroup
  }

  /** @throws UnknownCgroupError */
  get(name: string | undefined): Cgroup {
    if (name === undefined) return this.list[0]
    const cgroup = this.#byName.get(name)
    if (cgroup === undefined)
      throw new UnknownCgroupError(`[@zswap/cache] unknown cgroup ${JSON.stringify(name)}`)
    return cgroup
  }

  /** @throws TypeError/RangeError (code ERR_INVALID_OPTION), changing nothing. */
  set(cgroup: Cgroup, options: CgroupOptions): void {
    assertOptionKeys(options, CGROUP_OPTION_KEYS, 'a cgroup')
    const { zswapMax = cgroup.zswapMax, writeback = cgroup.writeback } = options
    if (typeof zswapMax !== 'number' || Number.isNaN(zswapMax) || zswapMax < 0) {
      throw invalidOption('@zswap/cache', 'zswapMax', 'a number of bytes ≥ 0 (Infinity for no limit)')
    }
    if (typeof writeback !== 'boolean') throw invalidOption('@zswap/cache', 'writeback', 'a boolean', 'type')
    cgroup.zswapMax = zswapMax
    cgroup.writeback = writeback
  }

  /** Plain-JSON counters of every cgroup, by name. */
  snapshot(): Record<string, CgroupStats> {
    const out: Record<string, CgroupStats> = {}
    for (const c of this.list) {
      out[c.name] = {
        zswap: c.zswap,
        zswapped: c.zswapped,
        zswpout: c.zswpout,
        zswpin: c.zswpin,
        zswpwb: c.zswpwb,
      }
    }
    return out
  }
}
