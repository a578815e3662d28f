import { type Accelerator, type Compressor, PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { type FlagSpec, formatHelp, parseFlags } from '../src/cli/args.js'
import { planStacks } from '../src/compare.js'
import { loadCorpus, readSample } from '../src/corpus.js'
import { LatencyRecorder } from '../src/measure/latency.js'
import { median, medianRecord } from '../src/measure/median.js'
import { paretoFront } from '../src/measure/pareto.js'
import { interleavedRounds } from '../src/measure/rounds.js'
import { bestRows, COLUMNS } from '../src/output/columns.js'
import type { StackResult } from '../src/schema.js'
import { DriverRegistry } from '../src/spec/registry.js'
import { composeStack, parseStack } from '../src/spec/stack-spec.js'
import { expandSweep, parseTerm } from '../src/spec/terms.js'
import { isHarnessUsageError } from '../src/spec/usage-error.js'
import { planFolios } from '../src/workloads/folios.js'
import { runReplay } from '../src/workloads/replay.js'
import { syntheticCorpus } from '../src/workloads/synthetic.js'
import { memcpyTarget, zswapTarget } from '../src/workloads/targets.js'
import { parseWorkload } from '../src/workloads/workload-spec.js'

const registry = new DriverRegistry()
const usage = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(isHarnessUsageError(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected a usage error')
}

describe('stack grammar', () => {
  it('parses codec, parameters, level sugar, zpool, object size and cache parameters', () => {
    const p = parseStack(
      'iaa(deflate, engines=2)+zsmalloc(chainSize=4)@4k[maxPoolPercent=10,shrinkerEnabled=false]',
      registry,
    )
    expect(p.name).toBe(
      'iaa(deflate,engines=2)+zsmalloc(chainSize=4)[maxPoolPercent=10,shrinkerEnabled=false]',
    )
    expect(p.codec.entry.name).toBe('iaa')
    expect(p.codec.options).toEqual({ algorithm: 'deflate', engines: 2 })
    expect(p.zpool.options).toEqual({ chainSize: 4 })
    expect(p.objectPages).toBe(1)
    expect(p.cache).toEqual({ maxPoolPercent: 10, shrinkerEnabled: false })
    expect(parseStack('zstd-3+zbud', registry).codec.options).toEqual({ level: 3 })
    expect(parseStack('zstd+zbud', registry).codec.options).toEqual({ level: 1 }) // the registry's default
    expect(parseStack('lz4', registry).zpool.entry.name).toBe('zsmalloc') // the default zpool
    expect(parseStack('deflate-9+z3fold', registry).name).toBe('deflate-9+z3fold')
    // IAA's compression mode: the second positional, or by name
    expect(parseStack('iaa(deflate,canned)+zsmalloc', registry).codec.options).toEqual({
      algorithm: 'deflate',
      compressionMode: 'canned',
    })
    expect(parseStack('iaa(compressionMode=dynamic)', registry).codec.options).toEqual({
      compressionMode: 'dynamic',
    })
    expect(usage(() => parseStack('iaa(deflate,huffman)', registry))).toMatch(/compressionMode/)
  })

  it('rejects what is not valid, listing what is', () => {
    expect(usage(() => parseStack('', registry))).toMatch(/empty/)
    expect(usage(() => parseStack('lz5+zbud', registry))).toMatch(
      /valid: lz4, zstd, deflate, lzo, lzo_rle, iaa/,
    )
    expect(usage(() => parseStack('zbud+lz4', registry))).toMatch(/unknown compressor or accelerator zbud/)
    expect(usage(() => parseStack('lz4-3+zbud', registry))).toMatch(/lz4 has no level/)
    expect(usage(() => parseStack('zstd(level=x)', registry))).toMatch(/zstd level must be an integer, got x/)
    expect(usage(() => parseStack('zstd(level=1,level=2)', registry))).toMatch(/each parameter once/)
    expect(usage(() => parseStack('iaa(engines=2,deflate)', registry))).toMatch(
      /positional arguments come first/,
    )
    expect(usage(() => parseStack('lz4(checksum=maybe)', registry))).toMatch(/true or false/)
    expect(usage(() => parseStack('lz4+zbud!junk', registry))).toMatch(/expected .* or the end/)
    expect(usage(() => parseStack('lz4+zbud@32k', registry))).toMatch(/4k, 16k or 64k/)
    expect(usage(() => parseTerm('a(', 'stack'))).toMatch(/expected a value, found the end/)
  })

  it('expands one sweep group into one stack per value', () => {
    expect(expandSweep('zstd-{1..3}+zbud', 'stack').specs).toEqual([
      'zstd-1+zbud',
      'zstd-2+zbud',
      'zstd-3+zbud',
    ])
    expect(expandSweep('iaa(engines={1..8..3})', 'stack').values).toEqual(['1', '4', '7'])
    expect(expandSweep('lz4+{zbud,zsmalloc}', 'stack').specs).toEqual(['lz4+zbud', 'lz4+zsmalloc'])
    expect(expandSweep('lz4', 'stack')).toEqual({ specs: ['lz4'] })
    expect(usage(() => expandSweep('zstd-{3..1}', 'stack'))).toMatch(/a ≤ b/)
    expect(usage(() => expandSweep('zstd-{1,}', 'stack'))).toMatch(/write \{a,b,c\}/)
    const { plans, sweeps } = planStacks(['zstd-{1,3}+zbud', 'zstd-3+zbud'], registry)
    expect(plans.map((p) => p.name)).toEqual(['zstd-1+zbud', 'zstd-3+zbud']) // a repeated stack runs once
    expect(sweeps).toEqual([
      { spec: 'zstd-{1,3}+zbud', values: ['1', '3'], stacks: ['zstd-1+zbud', 'zstd-3+zbud'] },
    ])
  })

  it('a wrapper entry of a few lines plugs in (the shape by_n takes)', async () => {
    const calls = { n: 0 }
    const reg = new DriverRegistry()
    reg.add({
      kind: 'wrapper',
      name: 'counted',
      package: '@zswap/lz4',
      factory: 'lz4',
      positional: ['n', 'inner'],
      params: { n: 'int' },
      wrap: (_factory, inner, options) => {
        const c = inner as Compressor
        return {
          specificationVersion: c.specificationVersion,
          name: `counted(${options.n},${c.name})`,
          capabilities: c.capabilities,
          compress: (src, dst) => {
            calls.n++
            return c.compress(src, dst)
          },
          decompress: (src, dst) => c.decompress(src, dst),
        }
      },
    })
    const plan = parseStack('counted(8,zstd-3)+zbud', reg)
    expect(plan.codec.options).toEqual({ n: 8 })
    expect(plan.codec.inner?.options).toEqual({ level: 3 })
    expect(usage(() => parseStack('counted(8)+zbud', reg))).toMatch(
      /needs the compressor or accelerator it wraps/,
    )
    const stack = await composeStack(plan, reg)
    const sample = readSample()
    const corpus = { ...sample, pages: 64 }
    const m = await runReplay(
      zswapTarget(stack, { ramBytes: 1 << 30, mthpEnabled: false }),
      corpus,
      planFolios(64, [{ order: 0, share: 1 }]),
    )
    expect(m.integrity.ok).toBe(true)
    expect(calls.n).toBe(64)
  })
})

describe('by_n', () => {
  it('by_n(4,lz4)+zsmalloc wraps lz4 in @zswap/by-n and round-trips the sample', async () => {
    const registry = new DriverRegistry()
    const plan = parseStack('by_n(4,lz4)+zsmalloc', registry)
    expect(plan.codec.options).toEqual({ n: 4 })
    const stack = await composeStack(plan, registry)
    const codec = stack.compressor as Accelerator
    expect(codec.capabilities.supportsPartialDecompress).toBe(true)
    const corpus = { ...readSample(), pages: 64 }
    const m = await runReplay(
      zswapTarget(stack, { ramBytes: 1 << 30, mthpEnabled: true }),
      corpus,
      planFolios(64, [{ order: 2, share: 1 }]),
    )
    expect(m.integrity.ok).toBe(true)
    const bad = await composeStack(parseStack('by_n(3,lz4)+zsmalloc', registry), registry).catch((e) => e)
    expect(isHarnessUsageError(bad)).toBe(true)
    expect((bad as Error).message).toMatch(/power of two|options\.n/)
  })
})

describe('lzo', () => {
  it('lzo and lzo_rle stacks, with and without checksum, compose @zswap/lzo and round-trip the sample', async () => {
    const registry = new DriverRegistry()
    expect(parseStack('lzo(checksum=false)+zsmalloc', registry).codec.options).toEqual({ checksum: false })
    expect(usage(() => parseStack('lzo-1+zsmalloc', registry))).toMatch(/lzo has no level/)
    const corpus = { ...readSample(), pages: 64 }
    for (const [spec, name, checksum, format] of [
      ['lzo+zsmalloc', 'lzo', true, 'lzo1x+crc32'],
      ['lzo(checksum=false)+zsmalloc', 'lzo', false, 'lzo1x'],
      ['lzo_rle+zsmalloc', 'lzo-rle', true, 'lzo-rle+crc32'],
      ['lzo_rle(checksum=false)+zbud', 'lzo-rle', false, 'lzo-rle'],
    ] as const) {
      const stack = await composeStack(parseStack(spec, registry), registry)
      const codec = stack.compressor as Compressor
      expect(codec.name).toBe(name)
      expect(codec.capabilities).toMatchObject({ checksum, format })
      const m = await runReplay(
        zswapTarget(stack, { ramBytes: 1 << 30, mthpEnabled: false }),
        corpus,
        planFolios(64, [{ order: 0, share: 1 }]),
      )
      expect(m.integrity.ok).toBe(true)
    }
  })
})

describe('object sizes', () => {
  it('lz4+zsmalloc@64k stores 64 KiB folios as 16-page objects: they load back and compress better', async () => {
    const registry = new DriverRegistry()
    const corpus = { ...readSample(), pages: 256 }
    const folios = planFolios(256, [{ order: 4, share: 1 }])
    const ratios: number[] = []
    for (const spec of ['lz4+zsmalloc@64k', 'lz4+zsmalloc']) {
      const plan = parseStack(spec, registry)
      const stack = await composeStack(plan, registry)
      const m = await runReplay(zswapTarget(stack, { ramBytes: 1 << 30, mthpEnabled: true }), corpus, folios)
      expect(m.integrity.ok).toBe(true)
      expect(m.storedPages).toBeGreaterThan(0)
      ratios.push(m.ratio)
    }
    expect(parseStack('lz4+zsmalloc@64k', registry).objectPages).toBe(16)
    // one LZ4 block over 16 pages finds matches across pages: deterministic data, a strictly better ratio
    expect(ratios[0]).toBeGreaterThan(ratios[1])
  })

  it('a zpool that cannot hold the object size is a usage error naming its limit', async () => {
    const registry = new DriverRegistry()
    const bad = await composeStack(parseStack('lz4+zbud@16k', registry), registry).catch((e) => e)
    expect(isHarnessUsageError(bad)).toBe(true)
    expect((bad as Error).message).toMatch(/zbud holds objects of at most \d+ bytes; @16k needs 16384/)
  })
})

describe('workload specs', () => {
  it('parses replay, synthetic and pressure with defaults', () => {
    expect(parseWorkload('replay')).toEqual({
      kind: 'replay',
      name: 'replay',
      mix: [{ order: 0, share: 1 }],
      seed: 1,
    })
    expect(parseWorkload('replay(mix=0:40/4:60)').mix).toEqual([
      { order: 0, share: 40 },
      { order: 4, share: 60 },
    ])
    expect(parseWorkload('synthetic(ratio=2.5,zero=0.2)')).toMatchObject({
      synthetic: { pages: 4096, ratio: 2.5, zero: 0.2, same: 0.05, seed: 1 },
    })
    expect(parseWorkload('pressure(order=2)')).toMatchObject({
      mix: [{ order: 2, share: 1 }],
      pressure: { streams: 4, limit: 0.25, readahead: 8 },
    })
  })

  it('rejects bad workloads with what is valid', () => {
    expect(usage(() => parseWorkload('replay(speed=2)'))).toMatch(/valid: order, mix, seed/)
    expect(usage(() => parseWorkload('replay(order=1,mix=0:1)'))).toMatch(/not both/)
    expect(usage(() => parseWorkload('synthetic(zero=0.7,same=0.5)'))).toMatch(/zero \+ same ≤ 1/)
    expect(usage(() => parseWorkload('pressure(limit=0)'))).toMatch(/limit/)
    expect(usage(() => parseWorkload('replay(2)'))).toMatch(/key=value/)
  })
})

describe('measuring core', () => {
  it('lays a folio-size mix over the pages, seeded', () => {
    const mix = [0, 2, 4, 9].map((order) => ({ order, share: 1 }))
    const plan = planFolios(1000, mix)
    let at = 0
    const seen = new Set<number>()
    for (let i = 0; i < plan.count; i++) {
      expect(plan.first[i]).toBe(at)
      at += 1 << plan.order[i]
      seen.add(plan.order[i])
    }
    expect(at).toBe(plan.pages)
    expect(plan.pages).toBe(1000) // order 0 fills the tail
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 2, 4, 9])
    expect(planFolios(1000, mix, 7).order).toEqual(planFolios(1000, mix, 7).order)
    expect(planFolios(10, [{ order: 2, share: 1 }]).pages).toBe(8)
  })

  it('interleaves subjects A B C A B C after the warm-up rounds', async () => {
    const order: string[] = []
    const out = await interleavedRounds(['A', 'B', 'C'], { runs: 2, warmup: 1 }, async (s, round) => {
      order.push(`${s}${round}`)
      return round
    })
    expect(order).toEqual(['A-1', 'B-1', 'C-1', 'A0', 'B0', 'C0', 'A1', 'B1', 'C1'])
    expect(out).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ])
  })

  it('takes medians field by field, and finds the Pareto front', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
    const m = medianRecord(
      [
        { a: 1, b: { c: 10 }, s: 'x' },
        { a: 3, b: { c: 30 }, s: 'y' },
        { a: 2, b: { c: 20 }, s: 'z' },
      ],
      (r) => r.a,
    )
    expect(m).toEqual({ a: 2, b: { c: 20 }, s: 'z' })
    const front = paretoFront([
      [2, 100],
      [3, 50],
      [2.5, 40],
      [1, 200],
      [2, 100],
    ])
    expect([...front].sort()).toEqual([0, 1, 3, 4])
  })

  it('marks the best value of each column, ties included and the baseline left out', () => {
    const row = (stack: string, storeMBps: number, ratio: number, baseline = false) =>
      ({ stack, storeMBps, ratio, baseline }) as unknown as StackResult
    const rows = [row('memcpy', 9000, 1, true), row('a', 50, 2.7), row('b', 60, 2.7), row('c', 70, 2.1)]
    const cols = COLUMNS.filter((c) => c.head === 'store MB/s' || c.head === 'ratio')
    expect(bestRows(rows, cols).map((s) => [...s])).toEqual([[3], [1, 2]])
    expect(bestRows([rows[0], rows[1]], cols).map((s) => s.size)).toEqual([0, 0]) // one stack: nothing to mark
  })

  it('records latency percentiles and a CDF', () => {
    const l = new LatencyRecorder()
    for (let i = 1; i <= 100; i++) l.record(i / 1000) // 1..100 µs
    const s = l.summary()
    expect(s.count).toBe(100)
    expect(s.p50Us).toBeCloseTo(50, 0)
    expect(s.p99Us).toBeCloseTo(99, 0)
    expect(s.maxUs).toBeCloseTo(100, 0)
    const cdf = l.cdf()
    expect(cdf[0][1]).toBe(0)
    expect(cdf[cdf.length - 1][1]).toBe(1)
    l.destroy()
  })

  it('the memcpy baseline round-trips, and a replay catches a wrong page with its offset', async () => {
    const corpus = { ...readSample(), pages: 256 }
    const plan = planFolios(256, [{ order: 2, share: 1 }])
    const ok = await runReplay(memcpyTarget(), corpus, plan)
    expect(ok.integrity.ok).toBe(true)
    expect(ok.ratio).toBe(1)
    const inner = memcpyTarget()
    const broken = {
      ...inner,
      load: async (f: Parameters<typeof inner.load>[0]) => {
        const r = await inner.load(f)
        if (f.swap.offset === 40) f.data[2 * PAGE_SIZE + 7] ^= 1
        return r
      },
    }
    const bad = await runReplay(broken, corpus, plan)
    expect(bad.integrity).toMatchObject({
      ok: false,
      mismatchedPages: 1,
      firstMismatch: { page: 42, byte: 42 * PAGE_SIZE + 7 },
    })
  })

  it('a store that throws fails the run instead of crashing it', async () => {
    const corpus = { ...readSample(), pages: 64 }
    const plan = planFolios(64, [{ order: 0, share: 1 }])
    const inner = memcpyTarget()
    const throwing = {
      ...inner,
      store: async (f: Parameters<typeof inner.store>[0]) => {
        if (f.swap.offset === 5) throw new Error('boom')
        return inner.store(f)
      },
    }
    const m = await runReplay(throwing, corpus, plan)
    expect(m.integrity).toMatchObject({ ok: false, storeErrors: 1 })
    expect(m.integrity.firstError).toBe('store of the folio at page 5 threw: boom')
  })

  it('generates seeded synthetic pages with the asked share of zero-filled pages', () => {
    const a = syntheticCorpus({ pages: 400, ratio: 4, zero: 0.5, same: 0, seed: 3 })
    const b = syntheticCorpus({ pages: 400, ratio: 4, zero: 0.5, same: 0, seed: 3 })
    expect(Buffer.compare(a.data, b.data)).toBe(0)
    let zero = 0
    for (let p = 0; p < 400; p++) {
      if (a.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE).every((x) => x === 0)) zero++
    }
    expect(zero).toBeGreaterThan(150)
    expect(zero).toBeLessThan(250)
  })

  it('loadCorpus stops at maxPages on an endless input', async () => {
    const c = await loadCorpus('/dev/zero', 100)
    expect(c.pages).toBe(100)
    expect(c.truncated).toBe(true)
  })
})

describe('flag parsing', () => {
  const specs: FlagSpec[] = [
    { name: 'runs', type: 'int', min: 1, max: 9, help: '' },
    { name: 'stack', type: 'list', help: '' },
    { name: 'json', type: 'bool', help: '' },
  ]
  it('takes --flag value and --flag=value, repeats lists, and reads the word after a value flag as its value', () => {
    const f = parseFlags(['--runs=3', '--stack', 'a', '--stack=b', '--json'], specs)
    expect([...f]).toEqual([
      ['runs', 3],
      ['stack', ['a', 'b']],
      ['json', true],
    ])
    expect(usage(() => parseFlags(['--runs', '-1'], specs))).toBe(
      "--runs must be an integer in 1..9, got '-1'",
    )
    expect(usage(() => parseFlags(['--runs', '+2'], specs))).toMatch(/got '\+2'/)
    expect(usage(() => parseFlags(['--runs', ' 2'], specs))).toMatch(/got ' 2'/)
    expect(usage(() => parseFlags(['--run', '2'], specs))).toMatch(
      /unknown flag --run \(did you mean --runs\?\)/,
    )
    expect(usage(() => parseFlags(['--runs', '1', '--runs', '2'], specs))).toMatch(/given twice/)
    expect(formatHelp('usage', specs, 'end')).toMatch(/--runs VALUE/)
  })
})
