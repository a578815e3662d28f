import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import type { CheckFigures } from '../src/kernel-check/emulate.js'
import type { HelperResult } from '../src/kernel-check/helper.js'
import { KernelFs } from '../src/kernel-check/kernel-fs.js'
import type { SystemOps } from '../src/kernel-check/system-ops.js'

/** A fake /sys + /proc tree shaped like this machine's 6.18 kernel (zswap off, lzo, no swap). */
export function fakeTree(): { root: string; fs: KernelFs; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'kcheck-'))
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  const params = 'sys/module/zswap/parameters'
  put(`${params}/enabled`, 'N\n')
  put(`${params}/compressor`, 'lzo\n')
  put(`${params}/max_pool_percent`, '20\n')
  put(`${params}/accept_threshold_percent`, '90\n')
  put(`${params}/shrinker_enabled`, 'N\n')
  put(
    'proc/crypto',
    'name         : lzo-rle\ndriver       : lzo-rle-scomp\n\nname         : lzo\ndriver       : lzo-scomp\n\n' +
      'name         : deflate\ndriver       : deflate-generic\n\nname         : sha256\n',
  )
  put('proc/swaps', 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n')
  put('proc/vmstat', 'nr_free_pages 100\nzswpout 0\nzswpin 0\nswpout_zero 0\nswpin_zero 0\npswpout 0\n')
  put('proc/meminfo', 'MemTotal:       24000000 kB\nMemFree:        1000 kB\n')
  const thp = 'sys/kernel/mm/transparent_hugepage'
  put(`${thp}/hugepages-64kB/enabled`, 'always inherit madvise [never]\n')
  put(`${thp}/hugepages-64kB/stats/zswpout`, '0\n')
  put(`${thp}/hugepages-2048kB/enabled`, 'always [inherit] madvise never\n')
  put(`${thp}/hugepages-8kB/shmem_enabled`, 'always inherit advise [never]\n') // no anonymous order-1 folios
  put(`${thp}/hugepages-2048kB/stats/zswpout`, '0\n')
  mkdirSync(join(root, 'sys/kernel/debug'), { recursive: true })
  mkdirSync(join(root, 'run'), { recursive: true })
  mkdirSync(join(root, 'var/tmp'), { recursive: true })
  return { root, fs: new FakeKernelFs(root), cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

/** Writes to `a [b] c` choice files move the brackets, as sysfs does. */
class FakeKernelFs extends KernelFs {
  override write(path: string, value: string): void {
    const old = readFileSync(path, 'utf8')
    if (!old.includes('[')) {
      super.write(path, value)
      return
    }
    const words = old.trim().replace(/[[\]]/g, '').split(' ')
    if (!words.includes(value)) throw new Error(`EINVAL: ${value} is not one of ${words.join(' ')}`)
    super.write(path, `${words.map((w) => (w === value ? `[${w}]` : w)).join(' ')}\n`)
  }
}

/**
 * Every file of the tree and its contents (mode too), to compare before and
 * after (trimmed, as sysfs reads back); less /proc/vmstat, whose event
 * counters the kernel moves for good.
 */
export function treeState(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (relative(root, p) !== 'proc/vmstat')
        out[relative(root, p)] = `${(statSync(p).mode & 0o777).toString(8)} ${readFileSync(p, 'utf8').trim()}`
    }
  }
  walk(root)
  return out
}

const DEBUG_FILES = [
  'stored_pages',
  'stored_incompressible_pages',
  'pool_total_size',
  'pool_limit_hit',
  'reject_compress_poor',
  'reject_compress_fail',
  'reject_alloc_fail',
  'reject_reclaim_fail',
  'written_back_pages',
]

/** SystemOps that act on the fake tree; `calls` records them, `fail` makes one throw. */
export function fakeOps(root: string, options: { uid?: number } = {}) {
  const calls: string[] = []
  const fail = new Set<string>()
  const check = (name: string) => {
    calls.push(name)
    if (fail.has(name)) throw new Error(`${name} failed (injected)`)
  }
  const swaps = join(root, 'proc/swaps')
  const ops: SystemOps = {
    uid: () => options.uid ?? 0,
    mountDebugfs(target) {
      check('mount')
      mkdirSync(join(target, 'zswap'), { recursive: true })
      for (const f of DEBUG_FILES) writeFileSync(join(target, 'zswap', f), '0\n')
    },
    umount(target) {
      check('umount')
      rmSync(join(target, 'zswap'), { recursive: true, force: true })
    },
    mkswap(file) {
      check('mkswap')
      statSync(file)
    },
    swapon(file) {
      check('swapon')
      appendFileSync(swaps, `${file}\tfile\t16380\t0\t-2\n`)
    },
    swapoff(file) {
      check('swapoff')
      const lines = readFileSync(swaps, 'utf8').split('\n')
      writeFileSync(swaps, lines.filter((l) => !l.startsWith(`${file}\t`)).join('\n'))
    },
    zramAdd(bytes) {
      check('zramAdd')
      const dev = join(root, 'dev', 'zram1')
      mkdirSync(dirname(dev), { recursive: true })
      writeFileSync(dev, `disksize ${bytes}`)
      return dev
    },
    zramRemove(device) {
      check('zramRemove')
      rmSync(device)
    },
    async lock() {
      check('lock')
      return () => calls.push('unlock')
    },
  }
  return { ops, calls, fail }
}

/**
 * A fake memory side: "pages out" by adding `figures` to the fake kernel's
 * counters (as the kernel would), calls `between`, then "reads back".
 */
export function fakePageout(
  fs: KernelFs,
  figures: (pages: number) => Partial<CheckFigures>,
  options: { mismatches?: number; during?: () => void; othersSwapping?: () => number } = {},
) {
  return async (
    data: Uint8Array,
    _thp: boolean,
    between: () => void | Promise<void>,
  ): Promise<HelperResult> => {
    const pages = data.length / PAGE_SIZE
    const f = { stored: pages, zero: 0, incompressible: 0, poolBytes: 0, rejects: 0, ...figures(pages) }
    const add = (path: string, n: number) =>
      writeFileSync(path, `${Number(readFileSync(path, 'utf8')) + n}\n`)
    const dbg = (name: string) => join(fs.debugfsZswap, name)
    add(dbg('stored_pages'), f.stored)
    add(dbg('stored_incompressible_pages'), f.incompressible)
    add(dbg('pool_total_size'), f.poolBytes)
    add(dbg('reject_compress_poor'), f.rejects)
    const vm = fs.vmstat()
    vm.set('swpout_zero', (vm.get('swpout_zero') ?? 0) + f.zero)
    vm.set('zswpout', (vm.get('zswpout') ?? 0) + f.stored + (options.othersSwapping?.() ?? 0))
    writeFileSync(fs.path('proc/vmstat'), [...vm].map(([k, v]) => `${k} ${v}\n`).join(''))
    options.during?.()
    await between()
    add(dbg('stored_pages'), -f.stored)
    add(dbg('stored_incompressible_pages'), -f.incompressible)
    add(dbg('pool_total_size'), -f.poolBytes)
    const m = options.mismatches ?? 0
    return { resident: 0, rounds: 1, mismatches: m, firstBad: m > 0 ? [0] : [] }
  }
}
