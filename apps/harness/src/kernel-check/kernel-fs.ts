import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Where kernel-check finds the kernel's files. Every path hangs off `root`
 * ('/' on a real machine) so the tests run on a fake tree without root.
 */
export class KernelFs {
  readonly root: string
  constructor(root = '/') {
    this.root = root
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts)
  }
  get zswapParams(): string {
    return this.path('sys/module/zswap/parameters')
  }
  get debugfs(): string {
    return this.path('sys/kernel/debug')
  }
  get debugfsZswap(): string {
    return this.path('sys/kernel/debug/zswap')
  }
  get thp(): string {
    return this.path('sys/kernel/mm/transparent_hugepage')
  }

  read(path: string): string {
    return readFileSync(path, 'utf8').trim()
  }
  write(path: string, value: string): void {
    writeFileSync(path, value)
  }
  exists(path: string): boolean {
    return existsSync(path)
  }

  /** A zswap parameter, e.g. `param('compressor')` → `'lzo'`. */
  param(name: string): string {
    return this.read(join(this.zswapParams, name))
  }

  /** Algorithm names offered by the crypto API (`name :` lines of /proc/crypto). */
  cryptoNames(): Set<string> {
    const names = new Set<string>()
    for (const m of readFileSync(this.path('proc/crypto'), 'utf8').matchAll(/^name\s*:\s*(\S+)/gm)) {
      names.add(m[1])
    }
    return names
  }

  /** Active swap areas (file names of /proc/swaps after its header). */
  swaps(): string[] {
    const lines = readFileSync(this.path('proc/swaps'), 'utf8').split('\n').slice(1)
    return lines.filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[0])
  }

  /** /proc/vmstat as numbers. */
  vmstat(): Map<string, number> {
    const out = new Map<string, number>()
    for (const line of readFileSync(this.path('proc/vmstat'), 'utf8').split('\n')) {
      const [k, v] = line.split(' ')
      if (k && v !== undefined) out.set(k, Number(v))
    }
    return out
  }

  /** RAM size in bytes (MemTotal of /proc/meminfo). */
  memTotal(): number {
    const m = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync(this.path('proc/meminfo'), 'utf8'))
    return m === null ? 0 : Number(m[1]) * 1024
  }

  /** Every numeric file of /sys/kernel/debug/zswap. */
  zswapDebug(): Map<string, number> {
    const out = new Map<string, number>()
    for (const name of readdirSync(this.debugfsZswap)) {
      const n = Number(this.read(join(this.debugfsZswap, name)))
      if (Number.isFinite(n)) out.set(name, n)
    }
    return out
  }

  /**
   * Anonymous mTHP sizes in KiB (hugepages-<N>kB directories with an
   * `enabled` file; 8 KiB has none: anonymous memory has no order-1 folios), ascending.
   */
  mthpSizes(): number[] {
    if (!this.exists(this.thp)) return []
    return readdirSync(this.thp)
      .map((d) => /^hugepages-(\d+)kB$/.exec(d))
      .filter((m) => m !== null && this.exists(join(this.thp, m[0], 'enabled')))
      .map((m) => Number(m![1]))
      .sort((a, b) => a - b)
  }

  /** The selected value of a `a [b] c` sysfs choice file. */
  choice(path: string): string {
    const m = /\[([^\]]+)\]/.exec(this.read(path))
    return m === null ? this.read(path) : m[1]
  }

  /** A per-size mTHP counter (KiB → folios), e.g. `mthpStat('zswpout')` from hugepages-<N>kB/stats/zswpout. */
  mthpStat(name: string): Map<number, number> {
    const out = new Map<number, number>()
    for (const kb of this.mthpSizes()) {
      const p = join(this.thp, `hugepages-${kb}kB`, 'stats', name)
      if (this.exists(p)) out.set(kb, Number(this.read(p)))
    }
    return out
  }
}
