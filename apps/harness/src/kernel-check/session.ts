import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { KernelFs } from './kernel-fs.js'
import type { SystemOps } from './system-ops.js'

/** One thing to undo, as data: the journal on disk holds a list of these. */
export type Undo =
  | { readonly kind: 'write'; readonly path: string; readonly value: string }
  | { readonly kind: 'swapoff'; readonly file: string }
  | { readonly kind: 'unlink'; readonly file: string }
  | { readonly kind: 'umount'; readonly target: string }
  | { readonly kind: 'zram-remove'; readonly device: string }

/** The setup steps in order; fault injection names them. */
export const SETUP_STEPS = [
  'debugfs',
  'swapfile',
  'mkswap',
  'swapon',
  'compressor',
  'shrinker_enabled',
  'max_pool_percent',
  'enabled',
  'mthp',
] as const
export type SetupStep = (typeof SETUP_STEPS)[number]

/** What the check needs from the kernel. */
export interface SetupPlan {
  /** Kernel compressor name, e.g. `'lzo'`. */
  readonly compressor: string
  /** Smallest max_pool_percent that holds the corpus with room to spare. */
  readonly minPoolPercent: number
  /** Swap file size in bytes when no swap is on. */
  readonly swapBytes: number
  /** Where the temporary swap file goes (a directory on a file system that takes swap files). */
  readonly swapDir: string
  /**
   * When no swap is on: a temporary swap `'file'` in swapDir, or a `'zram'`
   * device (non-rotational: the kernel swaps large folios out whole only to
   * non-rotational devices; on a rotational disk it splits them first).
   */
  readonly swapDevice: 'file' | 'zram'
  /** hugepages-<N>kB sizes to set to `madvise` (others to `never`); empty: leave THP alone. */
  readonly mthpKiB: readonly number[]
}

/**
 * Changes the kernel's settings for one check and puts every one back.
 * Each change first pushes its undo, and the undo list is written to a
 * journal file before the change is made, so a run killed with SIGKILL is
 * undone by the next one (`recover`). `restore` is synchronous so a signal
 * handler can call it.
 */
export class KernelSession {
  readonly #fs: KernelFs
  readonly #ops: SystemOps
  readonly #journal: string
  readonly #undo: Undo[] = []
  readonly #inject: ((step: SetupStep) => void) | undefined
  /** What was changed, for the report (e.g. "compressor lzo → deflate"). */
  readonly changes: string[] = []

  constructor(fs: KernelFs, ops: SystemOps, options: { inject?: (step: SetupStep) => void } = {}) {
    this.#fs = fs
    this.#ops = ops
    this.#journal = fs.path('run', 'zswap-kernel-check.json')
    this.#inject = options.inject
  }

  /** Path of the journal of undos. */
  get journal(): string {
    return this.#journal
  }

  /**
   * Undoes what a killed run left behind, from its journal. Call with the lock held.
   * @returns the undos it ran (empty when there was no journal)
   */
  recover(): Undo[] {
    if (!existsSync(this.#journal)) return []
    const left = JSON.parse(readFileSync(this.#journal, 'utf8')) as Undo[]
    this.#undo.push(...left)
    this.restore()
    return left
  }

  #push(undo: Undo): void {
    this.#undo.push(undo)
    writeFileSync(this.#journal, JSON.stringify(this.#undo), { mode: 0o600 })
  }

  #step(step: SetupStep): void {
    this.#inject?.(step)
  }

  #setParam(name: 'compressor' | 'shrinker_enabled' | 'max_pool_percent' | 'enabled', value: string): void {
    const path = join(this.#fs.zswapParams, name)
    const old = this.#fs.read(path)
    if (old !== value) {
      this.#push({ kind: 'write', path, value: old })
      this.#fs.write(path, value)
      this.changes.push(`zswap ${name} ${old} → ${value}`)
    }
    this.#step(name)
  }

  /** Makes every change the plan needs. On a throw, call `restore`. */
  setup(plan: SetupPlan): void {
    const fs = this.#fs
    if (!fs.exists(fs.debugfsZswap)) {
      this.#push({ kind: 'umount', target: fs.debugfs })
      this.#ops.mountDebugfs(fs.debugfs)
      this.changes.push(`mounted debugfs on ${fs.debugfs}`)
    }
    this.#step('debugfs')
    if (fs.swaps().length === 0 && plan.swapDevice === 'zram') {
      const device = this.#ops.zramAdd(plan.swapBytes)
      this.#push({ kind: 'zram-remove', device })
      this.#step('swapfile')
      this.#ops.mkswap(device)
      this.#step('mkswap')
      this.#push({ kind: 'swapoff', file: device })
      this.#ops.swapon(device)
      this.changes.push(`swap on ${device} (zram, ${plan.swapBytes >> 20} MiB)`)
      this.#step('swapon')
    } else if (fs.swaps().length === 0) {
      const file = join(plan.swapDir, `zswap-kernel-check-${process.pid}.swap`)
      this.#push({ kind: 'unlink', file })
      writeZeros(file, plan.swapBytes)
      this.#step('swapfile')
      this.#ops.mkswap(file)
      this.#step('mkswap')
      this.#push({ kind: 'swapoff', file })
      this.#ops.swapon(file)
      this.changes.push(`swap file ${file} (${plan.swapBytes >> 20} MiB, mode 0600)`)
      this.#step('swapon')
    } else {
      this.#step('swapfile')
      this.#step('mkswap')
      this.#step('swapon')
    }
    this.#setParam('compressor', plan.compressor)
    this.#setParam('shrinker_enabled', 'N')
    const pool = Number(fs.param('max_pool_percent'))
    this.#setParam('max_pool_percent', String(Math.max(pool, plan.minPoolPercent)))
    this.#setParam('enabled', 'Y')
    if (plan.mthpKiB.length > 0) {
      for (const kb of fs.mthpSizes()) {
        const path = join(fs.thp, `hugepages-${kb}kB`, 'enabled')
        const old = fs.choice(path)
        const value = plan.mthpKiB.includes(kb) ? 'madvise' : 'never'
        if (old === value) continue
        this.#push({ kind: 'write', path, value: old })
        fs.write(path, value)
        this.changes.push(`hugepages-${kb}kB ${old} → ${value}`)
      }
    }
    this.#step('mthp')
  }

  /**
   * Undoes every change, newest first. Keeps going past a failing undo (but
   * keeps a swap file whose swapoff failed) and throws at the end naming each
   * one that failed; the journal then holds just those, for the next run.
   */
  restore(): void {
    const failed: string[] = []
    const left: Undo[] = []
    while (this.#undo.length > 0) {
      const u = this.#undo.pop()!
      const gone = u.kind === 'unlink' ? u.file : u.kind === 'zram-remove' ? u.device : undefined
      if (gone !== undefined && left.some((l) => l.kind === 'swapoff' && l.file === gone)) {
        left.unshift(u)
        continue
      }
      try {
        this.#apply(u)
      } catch (error) {
        failed.push(`${describe(u)}: ${(error as Error).message}`)
        left.unshift(u)
      }
    }
    if (failed.length === 0) {
      rmSync(this.#journal, { force: true })
      return
    }
    writeFileSync(this.#journal, JSON.stringify(left), { mode: 0o600 })
    throw new Error(`could not restore: ${failed.join('; ')} (journal ${this.#journal})`)
  }

  #apply(u: Undo): void {
    switch (u.kind) {
      case 'write':
        this.#fs.write(u.path, u.value)
        return
      case 'swapoff':
        if (this.#fs.swaps().includes(u.file)) this.#ops.swapoff(u.file)
        return
      case 'unlink':
        rmSync(u.file, { force: true })
        return
      case 'umount':
        this.#ops.umount(u.target)
        return
      case 'zram-remove':
        this.#ops.zramRemove(u.device)
        return
    }
  }
}

function describe(u: Undo): string {
  if (u.kind === 'write') return `write ${u.value} to ${u.path}`
  if (u.kind === 'umount') return `umount ${u.target}`
  if (u.kind === 'zram-remove') return `remove ${u.device}`
  return `${u.kind} ${u.file}`
}

/** A file of `bytes` zeros, mode 0600, fully written (swapon refuses files with holes). */
function writeZeros(file: string, bytes: number): void {
  const fd = openSync(file, 'wx', 0o600)
  try {
    const chunk = new Uint8Array(1 << 20)
    for (let done = 0; done < bytes; done += chunk.length) {
      writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done))
    }
  } finally {
    closeSync(fd)
  }
}
