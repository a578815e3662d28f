import { rmSync, statSync, writeFileSync } from 'node:fs'
import { PAGE_SIZE } from '@zswap/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Corpus } from '../src/corpus.js'
import { type KernelCheckOptions, kernelCheck } from '../src/kernel-check/check.js'
import { kernelCheckMain } from '../src/kernel-check/command.js'
import { compareFigures } from '../src/kernel-check/compare.js'
import { type CheckFigures, compressedSizes, driverCompressor, emulate } from '../src/kernel-check/emulate.js'
import { emulateWithCache } from '../src/kernel-check/emulate-cache.js'
import type { KernelFs } from '../src/kernel-check/kernel-fs.js'
import { KernelSession, SETUP_STEPS } from '../src/kernel-check/session.js'
import { fakeOps, fakePageout, fakeTree, treeState } from './kernel-check-fake.js'

/** 64 pages: 16 zero, 8 random (incompressible), the rest text-like. */
function syntheticCorpus(): Corpus {
  const pages = 64
  const data = new Uint8Array(pages * PAGE_SIZE)
  let seed = 7
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff
  for (let p = 0; p < pages; p++) {
    const page = data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
    if (p >= 16 && p < 32) continue // a 64 KiB folio of zeros
    if (p >= 32 && p < 40) for (let i = 0; i < PAGE_SIZE; i++) page[i] = rnd()
    else for (let i = 0; i < PAGE_SIZE; i++) page[i] = 97 + ((i * (p + 3)) % 23)
  }
  return { name: 'synthetic', path: 'synthetic', pages, data }
}

let tree: ReturnType<typeof fakeTree>
let before: Record<string, string>
const corpus = syntheticCorpus()

async function expected(folioPages = 1): Promise<CheckFigures> {
  const c = (await driverCompressor('deflate'))!
  return emulate(corpus.data, compressedSizes(corpus.data, c), { folioPages })
}

function options(fs: KernelFs, ops: KernelCheckOptions['ops'], over: Partial<KernelCheckOptions> = {}) {
  const log: string[] = []
  const o: KernelCheckOptions = {
    corpora: [corpus],
    compressor: 'deflate',
    sizes: 'driver',
    tolerance: 0.02,
    mthpKiB: [],
    swapDir: fs.path('var/tmp'),
    fs,
    ops,
    helper: process.execPath, // the memory side is faked; preflight only checks that it exists
    log: (l) => log.push(l),
    ...over,
  }
  return { o, log }
}

beforeEach(() => {
  tree = fakeTree()
  before = treeState(tree.root)
})
afterEach(() => tree.cleanup())

describe('kernel-check refuses cleanly (exit 2, nothing changed)', () => {
  it('without root: says so, takes no lock, changes nothing', async () => {
    const { ops, calls } = fakeOps(tree.root, { uid: 1000 })
    const err: string[] = []
    const code = await kernelCheckMain(['--compressor', 'deflate'], {
      fs: tree.fs,
      ops,
      helper: process.execPath,
      out: () => {},
      err: (t) => err.push(t),
    })
    expect(code).toBe(2)
    expect(err.join('')).toMatch(/missing:\n {2}- root \(running as uid 1000/)
    expect(err.join('')).toContain('nothing was changed')
    expect(calls).toEqual([])
    expect(treeState(tree.root)).toEqual(before)
  })

  it('names each missing piece: zswap, the compressor, the helper, an mTHP size', async () => {
    const { ops, calls } = fakeOps(tree.root)
    const r1 = await kernelCheck(
      options(tree.fs, ops, { compressor: 'lz4', helper: '/nonexistent/kcheck-helper' }).o,
    )
    expect(r1.status).toBe('cannot-run')
    const missing = r1.status === 'cannot-run' ? r1.missing.join('\n') : ''
    expect(missing).toContain(
      'the compressor lz4 in /proc/crypto (modprobe it; compressors offered: lzo-rle, lzo, deflate)',
    )
    expect(missing).toContain('the helper binary /nonexistent/kcheck-helper')
    const r2 = await kernelCheck(options(tree.fs, ops, { mthpKiB: [16] }).o)
    expect(r2.status === 'cannot-run' && r2.missing).toEqual([expect.stringContaining('mTHP size 16 KiB')])
    tree.cleanup()
    tree = fakeTree()
    rmSync(tree.fs.zswapParams, { recursive: true })
    const r3 = await kernelCheck(options(tree.fs, ops).o)
    expect(r3.status === 'cannot-run' && r3.missing[0]).toMatch(/^zswap in the kernel/)
    expect(calls).toEqual([])
  })
})

describe('kernel-check on a fake kernel tree', () => {
  it('sets up, compares, and restores every setting', async () => {
    const { ops, calls } = fakeOps(tree.root)
    const want = await expected()
    let swapMode = 0
    const pageout = fakePageout(tree.fs, () => want, {
      during: () => {
        const file = tree.fs.swaps()[0]
        swapMode = statSync(file).mode & 0o777
        expect(tree.fs.param('enabled')).toBe('Y')
        expect(tree.fs.param('compressor')).toBe('deflate')
      },
    })
    const { o } = options(tree.fs, ops, { pageout })
    const r = await kernelCheck(o)
    expect(r.status).toBe('done')
    if (r.status !== 'done') return
    expect(r.ok).toBe(true)
    expect(swapMode).toBe(0o600)
    expect(r.checks[0].kernel).toMatchObject({
      stored: want.stored,
      zero: 16,
      incompressible: want.incompressible,
    })
    expect(r.changes).toEqual([
      expect.stringContaining('mounted debugfs'),
      expect.stringMatching(/swap file .*zswap-kernel-check-\d+\.swap .*mode 0600/),
      'zswap compressor lzo → deflate',
      'zswap enabled N → Y',
    ])
    expect(calls).toEqual(['lock', 'mount', 'mkswap', 'swapon', 'swapoff', 'umount', 'unlock'])
    expect(treeState(tree.root)).toEqual(before)
  })

  it('with --mthp, swaps to a zram device (whole large folios) and removes it after', async () => {
    const { ops, calls } = fakeOps(tree.root)
    const want = await expected(16)
    const pageout = fakePageout(tree.fs, () => want, {
      during: () => {
        expect(tree.fs.swaps()).toEqual([tree.fs.path('dev/zram1')])
        expect(
          tree.fs.choice(tree.fs.path('sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled')),
        ).toBe('madvise')
      },
    })
    const r = await kernelCheck(options(tree.fs, ops, { pageout, mthpKiB: [64], swapDevice: 'zram' }).o)
    expect(r.status === 'done' && r.checks[0].emulated.zswpoutByKiB).toEqual(new Map([[64, 3]]))
    expect(calls).toEqual([
      'lock',
      'mount',
      'zramAdd',
      'mkswap',
      'swapon',
      'swapoff',
      'zramRemove',
      'umount',
      'unlock',
    ])
    expect(treeState(tree.root)).toEqual(before)
  })

  it('measures again while other processes swap, up to three times, and says so', async () => {
    const want = await expected()
    for (const [busy, attempts, noise] of [
      [[5, 0], 2, 0],
      [[5, 5, 5], 3, 5],
    ] as const) {
      const { ops } = fakeOps(tree.root)
      let calls = 0
      const pageout = fakePageout(tree.fs, () => want, { othersSwapping: () => busy[calls++] })
      const { o, log } = options(tree.fs, ops, { pageout })
      const r = await kernelCheck(o)
      expect(calls).toBe(attempts)
      expect(r.status === 'done' && r.checks[0].noise).toBe(noise)
      expect(log.filter((l) => l.includes('swap events of other processes'))).toHaveLength(attempts - 1)
      expect(treeState(tree.root)).toEqual(before)
    }
  })

  it('a count that differs, the pool beyond the tolerance, or a wrong page: exit 1', async () => {
    const want = await expected()
    const file = tree.fs.path('var/tmp/synthetic.pages')
    writeFileSync(file, corpus.data)
    before = treeState(tree.root)
    const cases = [
      [want, 0, 0],
      [{ ...want, incompressible: want.incompressible + 1 }, 0, 1],
      [{ ...want, poolBytes: Math.round(want.poolBytes * 1.05) }, 0, 1],
      [want, 1, 1],
    ] as const
    for (const [figures, mismatches, exit] of cases) {
      const { ops } = fakeOps(tree.root)
      const out: string[] = []
      const code = await kernelCheckMain(['--compressor', 'deflate', '--sizes', 'driver', '--corpus', file], {
        fs: tree.fs,
        ops,
        helper: process.execPath,
        out: (t) => out.push(t),
        err: () => {},
        check: { pageout: fakePageout(tree.fs, () => figures, { mismatches }) },
      })
      expect(code).toBe(exit)
      if (mismatches > 0) expect(out.join('')).toContain('WRONG PAGES: 1 pages read back differ')
      expect(treeState(tree.root)).toEqual(before)
    }
  })

  it.each(
    SETUP_STEPS.flatMap((step) => [
      [step, 'file'],
      [step, 'zram'],
    ]),
  )('a failure right after step %s (swap %s) leaves the tree as it was', async (step, swapDevice) => {
    const { ops } = fakeOps(tree.root)
    const inject = (s: string) => {
      if (s === step) throw new Error(`injected after ${s}`)
    }
    const pageout = fakePageout(tree.fs, () => ({}))
    const { o } = options(tree.fs, ops, {
      inject,
      pageout,
      mthpKiB: [64],
      swapDevice: swapDevice as 'file' | 'zram',
    })
    await expect(kernelCheck(o)).rejects.toThrow(`injected after ${step}`)
    expect(treeState(tree.root)).toEqual(before)
  })

  it('the command turns a refused setup step into exit 2 with its message, everything restored', async () => {
    const { ops, fail } = fakeOps(tree.root)
    fail.add('mkswap')
    const err: string[] = []
    const code = await kernelCheckMain(['--compressor', 'deflate', '--sizes', 'driver'], {
      fs: tree.fs,
      ops,
      helper: process.execPath,
      out: () => {},
      err: (t) => err.push(t),
      check: { pageout: fakePageout(tree.fs, () => ({})) },
    })
    expect(code).toBe(2)
    expect(err.join('')).toContain('kernel-check: cannot run: mkswap failed (injected)')
    expect(treeState(tree.root)).toEqual(before)
  })

  it('a failure inside the memory side restores too', async () => {
    const { ops } = fakeOps(tree.root)
    const pageout = async () => {
      throw new Error('helper crashed')
    }
    await expect(kernelCheck(options(tree.fs, ops, { pageout, mthpKiB: [64] }).o)).rejects.toThrow(
      'helper crashed',
    )
    expect(treeState(tree.root)).toEqual(before)
  })

  it('SIGINT during the check restores everything and exits 130', async () => {
    const { ops, calls } = fakeOps(tree.root)
    let handler: ((s: NodeJS.Signals) => void) | undefined
    const exits: number[] = []
    let stateAtExit: Record<string, string> | undefined
    const pageout = fakePageout(tree.fs, () => ({}), { during: () => handler!('SIGINT') })
    const { o } = options(tree.fs, ops, {
      pageout,
      mthpKiB: [64],
      onSignal: (h) => {
        handler = h
        return () => (handler = undefined)
      },
      exit: (code) => {
        exits.push(code)
        stateAtExit = treeState(tree.root)
        throw new Error(`exit ${code}`) // the process ends here
      },
    })
    await expect(kernelCheck(o)).rejects.toThrow('exit 130')
    expect(exits).toEqual([130])
    // restored before the process ends
    expect(stateAtExit).toEqual(before)
    expect(calls).toContain('unlock')
    expect(handler).toBeUndefined()
  })

  it('an undo that fails is reported, the rest still restored, and the next run finishes the job (journal)', async () => {
    const first = fakeOps(tree.root)
    first.fail.add('swapoff')
    const { o } = options(tree.fs, first.ops, { pageout: fakePageout(tree.fs, () => ({})) })
    await expect(kernelCheck(o)).rejects.toThrow(/could not restore: swapoff .*swapoff failed \(injected\)/)
    expect(tree.fs.param('enabled')).toBe('N')
    expect(tree.fs.param('compressor')).toBe('lzo')
    expect(tree.fs.exists(tree.fs.path('run/zswap-kernel-check.json'))).toBe(true)
    expect(tree.fs.swaps()).toHaveLength(1)
    expect(statSync(tree.fs.swaps()[0]).isFile()).toBe(true) // not unlinked while still swapped on

    const second = fakeOps(tree.root)
    const session = new KernelSession(tree.fs, second.ops)
    expect(session.recover().map((u) => u.kind)).toEqual(['unlink', 'swapoff'])
    expect(treeState(tree.root)).toEqual(before)
  })

  it('a run killed outright (no restore) is undone by the next one', async () => {
    const { ops } = fakeOps(tree.root)
    const killed = new KernelSession(tree.fs, ops)
    killed.setup({
      compressor: 'deflate',
      minPoolPercent: 30,
      swapBytes: 1 << 20,
      swapDir: tree.fs.path('var/tmp'),
      swapDevice: 'file',
      mthpKiB: [64],
    })
    expect(tree.fs.param('max_pool_percent')).toBe('30')
    expect(tree.fs.choice(tree.fs.path('sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled'))).toBe(
      'never',
    )
    const r = await kernelCheck(options(tree.fs, ops, { pageout: fakePageout(tree.fs, () => ({})) }).o)
    expect(r.status === 'done' && r.recovered).toBe(8) // umount, unlink, swapoff, 3 params, 2 THP sizes
    expect(treeState(tree.root)).toEqual(before)
  })
})

describe('the emulated swap path', () => {
  const sizes = (n: number, v: number) => new Int32Array(n).fill(v)

  it('keeps all-zero folios out of the pool, stores a folio with any non-zero byte whole', () => {
    const data = new Uint8Array(32 * PAGE_SIZE)
    data[20 * PAGE_SIZE + 5] = 1 // one byte in the second 64 KiB folio
    const order0 = emulate(data, sizes(32, 100))
    expect(order0).toMatchObject({ stored: 1, zero: 31 })
    const order4 = emulate(data, sizes(32, 100), { folioPages: 16 })
    expect(order4).toMatchObject({ stored: 16, zero: 16 })
    expect(order4.zswpoutByKiB).toEqual(new Map([[64, 1]]))
  })

  it('stores pages of 4096 bytes or more, and failed ones, as-is', () => {
    const data = new Uint8Array(4 * PAGE_SIZE).fill(1)
    const f = emulate(data, Int32Array.of(100, 4096, 5000, -1))
    expect(f).toMatchObject({ stored: 4, incompressible: 3, zero: 0 })
    // three one-page huge objects plus one zspage of the 112-byte class (7 pages hold 256 objects exactly)
    expect(f.poolBytes).toBe(3 * PAGE_SIZE + 7 * PAGE_SIZE)
  })

  it("takes lzo and lzo-rle (the kernel's names) from @zswap/lzo, without the checksum trailer", async () => {
    const lzo = (await driverCompressor('lzo'))!
    const rle = (await driverCompressor('lzo-rle'))!
    expect([lzo.name, lzo.capabilities.format]).toEqual(['lzo', 'lzo1x'])
    expect([rle.name, rle.capabilities.format]).toEqual(['lzo-rle', 'lzo-rle'])
    expect(await driverCompressor('842')).toBeUndefined()
  })

  it('@zswap/cache, driven by the same sizes, counts what the written-out rules count (order 0 and 64 KiB)', async () => {
    const c = (await driverCompressor('deflate'))!
    const sizes = compressedSizes(corpus.data, c)
    for (const folioPages of [1, 16]) {
      const viaCache = await emulateWithCache(corpus.data, sizes, { folioPages })
      expect(viaCache).toEqual(emulate(corpus.data, sizes, { folioPages }))
      expect(viaCache.zero).toBe(16)
      expect(viaCache.incompressible).toBeGreaterThan(0)
    }
  })

  it('compares counts exactly and the pool within the tolerance', () => {
    const k: CheckFigures = {
      pages: 10,
      stored: 10,
      zero: 0,
      incompressible: 1,
      poolBytes: 10000,
      rejects: 0,
      zswpoutByKiB: new Map(),
    }
    const rows = compareFigures(k, { ...k, poolBytes: 10150 }, 0.02)
    expect(rows.every((r) => r.ok)).toBe(true)
    expect(rows.find((r) => r.name === 'pool_total_size')!.diff).toBeCloseTo(0.015)
    expect(compareFigures(k, { ...k, poolBytes: 10300 }, 0.02).find((r) => !r.ok)?.name).toBe(
      'pool_total_size',
    )
    expect(compareFigures(k, { ...k, incompressible: 2 }, 0.02).find((r) => !r.ok)?.name).toBe(
      'stored_incompressible_pages',
    )
  })
})
