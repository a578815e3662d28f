import { createZswap, memorySwapDevice, ROOT_CGROUP, type Zswap } from '@zswap/cache'
import {
  type Accelerator,
  type CompressJob,
  type Compressor,
  type Folio,
  isAccelerator,
  PAGE_SIZE,
  type SwapDevice,
  toAccelerator,
  ZswapError,
} from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import { zstd } from '@zswap/zstd'
import { deriveSeed, Prng } from '../prng.js'
import { COMBOS, type Combo, IAA_FUZZ_TIMEOUT_MS, isIaaDevice } from './combos.js'
import {
  type CountingZpool,
  counterOf,
  FAULT_KINDS,
  FAULT_WEIGHTS,
  type FaultCounter,
  type FaultKind,
  FaultSwitch,
  faultyAccelerator,
  faultyCompressor,
  faultySwapDevice,
  faultyZpool,
} from './faults.js'
import { Model, type PageState } from './model.js'
import { PageSource } from './pages.js'

/** Swap offsets the fuzzer uses: few, so loads find what was stored and limits are hit. */
export const FUZZ_OFFSETS = 256
/** The "RAM" of the fuzzed cache: 1024 pages, so maxPoolPercent 2..20 is a 20..204-page pool. */
const RAM_BYTES = 1024 * PAGE_SIZE
/** Pages one store may add past the limit (the limit is checked before each page, and one allocation may take a zspage). */
const POOL_SLACK_PAGES = 32
const MAX_ORDER = 4
const BLOCK = 1 << MAX_ORDER
const CGROUPS = [ROOT_CGROUP, 'a', 'b'] as const
const IAA_KINDS: readonly FaultKind[] = ['iaa-engine-death', 'iaa-timeout']

/** Counters that only an injected fault may move (the zpools have no page limit in the fuzz). */
const FAULT_COUNTERS = ['decompress_fail', 'reject_alloc_fail', 'reject_compress_fail'] as const

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Operations in all, split evenly over the combinations. */
  ops: number
  /** Master seed; combination i runs with `deriveSeed(seed, i)`. */
  seed: number
  /** Combination names to run (default: all of {@link COMBOS}). */
  combos?: readonly string[]
  /** Probability that an operation has a fault armed. Default 0.35. */
  faultRate?: number
  /** Fault kinds to draw from (default: all that apply to the combination). */
  kinds?: readonly FaultKind[]
  /** Stop a combination after this many divergences (each restarts it on a fresh cache). Default 10. */
  maxDivergences?: number
  /** Invalidate everything and check the pool is back to 0 every this many operations. Default 2000. */
  checkpointEvery?: number
  /** An operation that has not settled after this many ms is reported as hung. Default 60000. */
  hangMs?: number
  /** Called after each combination. */
  onCombo?: (report: ComboReport) => void
}

/** One broken invariant. */
export interface Divergence {
  readonly combo: string
  readonly seed: number
  /** Index of the operation (0-based) within the combination's run. */
  readonly op: number
  readonly what: string
  /** The last operations before it, oldest first. */
  readonly trace: readonly string[]
}

/** The outcome of one combination. */
export interface ComboReport {
  readonly name: string
  readonly seed: number
  readonly ops: number
  readonly ms: number
  readonly faults: Record<FaultKind, number>
  readonly divergences: readonly Divergence[]
  /** Successful stores and loads (folios) and pages written back, to show the run did something. */
  readonly stored: number
  readonly loaded: number
  readonly writtenBack: number
  readonly checkpoints: number
  /** True when it stopped at maxDivergences. */
  readonly stoppedEarly: boolean
}

/** The outcome of a fuzz run. */
export interface FuzzReport {
  readonly seed: number
  readonly ops: number
  readonly ms: number
  readonly opsPerSecond: number
  readonly faults: Record<FaultKind, number>
  readonly divergences: number
  readonly combos: readonly ComboReport[]
  /** The options that shape the operation stream, as `pnpm fuzz` flags (for a replay line). */
  readonly flags: string
}

class Diverged extends Error {}

function fail(what: string): never {
  throw new Diverged(what)
}

/**
 * Model-based fuzzing of the cache with faults: every combination runs
 * `ops / combos` random operations against a reference model, with faults
 * armed at random points. Deterministic for a given seed.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const names = options.combos
  const chosen = COMBOS.map((combo, index) => ({ combo, index })).filter(
    ({ combo }) => names === undefined || names.includes(combo.name),
  )
  if (chosen.length === 0)
    throw new Error(`no combination named ${names?.join(', ')}; have ${COMBOS.map((c) => c.name).join(', ')}`)
  const perCombo = Math.ceil(options.ops / chosen.length)
  const t0 = performance.now()
  const combos: ComboReport[] = []
  for (const { combo, index } of chosen) {
    const report = await new ComboRun(combo, deriveSeed(options.seed, index), perCombo, options).run()
    combos.push(report)
    options.onCombo?.(report)
  }
  const ms = performance.now() - t0
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>
  let ops = 0
  let divergences = 0
  for (const c of combos) {
    ops += c.ops
    divergences += c.divergences.length
    for (const k of FAULT_KINDS) faults[k] += c.faults[k]
  }
  const flags = [
    options.kinds ? `--kinds ${options.kinds.join(',') || "''"}` : '',
    options.faultRate !== undefined ? `--fault-rate ${options.faultRate}` : '',
  ]
    .filter(Boolean)
    .join(' ')
  return { seed: options.seed, ops, ms, opsPerSecond: ops / (ms / 1000), faults, divergences, combos, flags }
}

interface Stack {
  cache: Zswap
  zpool: CountingZpool
  device: SwapDevice
  iaa: { injectFault(f: object): void } | undefined
  /** The combination's driver and an alternate of another format, for setCompressor. */
  accels: [Compressor | Accelerator, Compressor | Accelerator]
  altUsed: boolean
}

/** One combination's run: the cache, its model and the operation loop. */
class ComboRun {
  readonly prng: Prng
  readonly sw: FaultSwitch
  readonly pagesSrc: PageSource
  readonly kinds: FaultKind[]
  readonly weights: number[]
  readonly faultRate: number
  readonly maxDivergences: number
  readonly checkpointEvery: number
  readonly hangMs: number
  model = new Model(CGROUPS)
  /** Stacks built so far (every other one hands a synchronous compressor over as a Compressor). */
  rebuilds = 0
  /** How the current stack's driver was handed to the cache, for divergence reports. */
  stackKind = ''
  stack: Stack | undefined
  readonly divergences: Divergence[] = []
  readonly trace: string[] = []
  op = 0
  stored = 0
  loaded = 0
  checkpoints = 0
  writtenBackTotal = 0
  // per-operation state
  raced = new Set<number>()
  racedWriteback = 0
  raceTargets: number[] = []
  clens = new Map<ArrayBufferLike, Int32Array>()
  mthpEnabled = true
  enabled = true
  /** The current stack's swap-path options (drawn per stack from the seed). */
  zeroPages: 'map' | 'store' = 'map'
  incompressible: 'store' | 'reject' = 'store'

  constructor(
    readonly combo: Combo,
    readonly seed: number,
    readonly ops: number,
    options: FuzzOptions,
  ) {
    this.prng = new Prng(seed)
    this.sw = new FaultSwitch(this.prng)
    this.pagesSrc = new PageSource(new Prng(deriveSeed(seed, 0x7a9e)))
    const allowed = options.kinds ?? FAULT_KINDS
    this.kinds = allowed.filter((k) => combo.compressor.iaa || !IAA_KINDS.includes(k))
    this.weights = this.kinds.map((k) => FAULT_WEIGHTS[k])
    this.faultRate = this.kinds.length === 0 ? 0 : (options.faultRate ?? 0.35)
    this.maxDivergences = options.maxDivergences ?? 10
    this.checkpointEvery = options.checkpointEvery ?? 2000
    this.hangMs = options.hangMs ?? 60_000
    this.sw.race = (kind, offset) => this.#race(kind, offset)
    this.sw.observeCompress = (job) => this.#observe(job)
  }

  async run(): Promise<ComboReport> {
    const t0 = performance.now()
    let stoppedEarly = false
    await this.#rebuild()
    for (this.op = 0; this.op < this.ops; this.op++) {
      try {
        const step = this.#step()
        await this.#withWatchdog(step)
        if ((this.op + 1) % this.checkpointEvery === 0) await this.#withWatchdog(this.#checkpoint())
      } catch (error) {
        if (!(error instanceof Diverged)) throw error
        this.divergences.push({
          combo: this.combo.name,
          seed: this.seed,
          op: this.op,
          what: error.message,
          trace: [`the cache was given ${this.stackKind}`, ...this.trace],
        })
        this.sw.reset()
        if (error.message.startsWith('hung:')) {
          stoppedEarly = true
          break
        }
        if (this.divergences.length >= this.maxDivergences) {
          stoppedEarly = true
          break
        }
        await this.#rebuild()
      }
    }
    if (!stoppedEarly) {
      try {
        await this.#checkpoint()
        await this.#closeAndCheck()
      } catch (error) {
        if (!(error instanceof Diverged)) throw error
        this.divergences.push({
          combo: this.combo.name,
          seed: this.seed,
          op: this.op,
          what: error.message,
          trace: [`the cache was given ${this.stackKind}`, ...this.trace],
        })
      }
      await this.#close()
    }
    return {
      name: this.combo.name,
      seed: this.seed,
      ops: this.op,
      ms: performance.now() - t0,
      faults: { ...this.sw.counts },
      divergences: this.divergences,
      stored: this.stored,
      loaded: this.loaded,
      writtenBack: this.writtenBackTotal,
      checkpoints: this.checkpoints,
      stoppedEarly,
    }
  }

  async #withWatchdog(p: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Diverged(`hung: an operation did not settle within ${this.hangMs} ms`)),
        this.hangMs,
      )
    })
    try {
      await Promise.race([p, hang])
    } finally {
      clearTimeout(timer)
    }
  }

  async #close(): Promise<void> {
    const s = this.stack
    this.stack = undefined
    if (s === undefined) return
    try {
      await s.cache.close()
      if (!s.altUsed) await s.accels[1].close?.()
    } catch {
      // a cache left broken by a divergence may not close cleanly; the next one is fresh
    }
  }

  /** close() must destroy the zpool it owns (later use throws ClosedError). */
  async #closeAndCheck(): Promise<void> {
    const { zpool } = this.s
    await this.#close()
    let error: unknown
    try {
      zpool.inner.malloc(64)
    } catch (e) {
      error = e
    }
    if (!ZswapError.hasCode(error, 'ERR_CLOSED'))
      fail(`after close() the zpool still allocates (${describe(error)}): close() must destroy it`)
  }

  async #rebuild(): Promise<void> {
    await this.#close()
    const inner = this.combo.compressor.create()
    const other = this.combo.compressor.name === 'lz4' ? zstd({ level: 1 }) : lz4()
    // A synchronous compressor is handed over as a Compressor on every other stack (from the seed),
    // so that the cache's Compressor paths run too: an order-0 load is then done inside load().
    const direct = !isAccelerator(inner) && (this.seed + this.rebuilds++) % 2 === 1
    const wrap = (driver: Compressor | Accelerator): Compressor | Accelerator =>
      direct && !isAccelerator(driver)
        ? faultyCompressor(driver, this.sw)
        : faultyAccelerator(toAccelerator(driver), this.sw)
    const accel = wrap(inner)
    // a second compressor of another format: entries must load and write back with the one that made them
    const alt = wrap(other)
    // the swap path of 6.18 on most stacks, the older rules (zeroPages 'store', incompressible
    // 'reject') on some, so both are fuzzed
    const v = ((this.seed >>> 1) ^ this.rebuilds) >>> 0
    this.zeroPages = v % 4 === 3 ? 'store' : 'map'
    this.incompressible = (v >>> 2) % 4 === 3 ? 'reject' : 'store'
    this.stackKind =
      (direct ? 'a Compressor (order-0 loads done inside load())' : 'an Accelerator') +
      `, zeroPages '${this.zeroPages}', incompressible '${this.incompressible}'`
    const zpool = faultyZpool(this.combo.zpool.create(), this.sw)
    const device = memorySwapDevice({ pages: FUZZ_OFFSETS })
    const cache = createZswap({
      ...(isAccelerator(accel) ? { accelerator: accel } : { compressor: accel }),
      zpool,
      swapDevice: faultySwapDevice(device, this.sw),
      ramBytes: RAM_BYTES,
      mthpEnabled: true,
      maxPoolPercent: 8,
      zeroPages: this.zeroPages,
      incompressible: this.incompressible,
      ...this.combo.compressor.cache,
    })
    cache.createCgroup('a', { zswapMax: 40_000 })
    cache.createCgroup('b', { zswapMax: 20_000, writeback: false })
    // the cache owns the alternate from its first use; until then close it with the stack
    this.stack = {
      cache,
      zpool,
      device,
      iaa: isIaaDevice(inner) ? inner : undefined,
      accels: [accel, alt],
      altUsed: false,
    }
    this.model = new Model(CGROUPS)
    this.model.cg('a').zswapMax = 40_000
    this.model.cg('b').zswapMax = 20_000
    this.model.cg('b').writeback = false
    this.mthpEnabled = true
    this.enabled = true
  }

  get s(): Stack {
    if (this.stack === undefined) throw new Error('no stack')
    return this.stack
  }

  #log(line: string): void {
    if (this.trace.length === 16) this.trace.shift()
    this.trace.push(`#${this.op} ${line}`)
  }

  // ---- faults and races ------------------------------------------------------

  #arm(): string {
    if (!this.prng.chance(this.faultRate)) return ''
    const kind = this.kinds[this.prng.weighted(this.weights)]
    const at = 1 + this.prng.int(3)
    const iaa = this.s.iaa
    if (kind === 'iaa-engine-death' && iaa) {
      const phase = this.prng.chance(0.5) ? 'claim' : 'complete'
      iaa.injectFault({ killEngine: { engine: this.prng.int(2), afterJobs: this.prng.int(4), phase } })
      this.sw.fired(kind)
      return ` fault=${kind}/${phase}`
    }
    if (kind === 'iaa-timeout' && iaa) {
      iaa.injectFault({ delayJobs: { count: 1, ms: IAA_FUZZ_TIMEOUT_MS * 3 } })
      this.sw.fired(kind)
      return ` fault=${kind}`
    }
    this.sw.arm(kind, at)
    return ` fault=${kind}@${at}`
  }

  #race(kind: 'race-store' | 'race-load' | 'race-writeback', offset: number): void {
    const targets = this.raceTargets
    const o = kind === 'race-writeback' ? offset : targets.length > 0 ? this.prng.pick(targets) : -1
    if (o < 0) return
    if (kind === 'race-writeback') this.racedWriteback++
    this.raced.add(o)
    try {
      this.s.cache.invalidate({ type: 0, offset: o })
    } catch (error) {
      fail(`invalidate() racing ${kind} threw ${describe(error)}`)
    }
  }

  /**
   * Records the bytes a page will be charged: its compressed length, or
   * PAGE_SIZE when it does not compress below a page or its compression
   * failed (stored as-is, if stored at all). Pages no job was seen for
   * (a batch that failed whole) stay unknown (-1).
   */
  #observe(job: CompressJob): void {
    const lens = this.clens.get(job.src.buffer)
    if (lens === undefined) return
    const page = (job.src.byteOffset / PAGE_SIZE) | 0
    const n = job.length
    const fits = job.error === undefined && Number.isInteger(n) && n >= 1 && n < PAGE_SIZE
    if (page < lens.length) lens[page] = fits ? n : PAGE_SIZE
  }

  /** A fault other than the IAA device's own (which must be invisible) fired in this operation. */
  #disrupted(): boolean {
    for (const k of this.sw.firedNow) if (!IAA_KINDS.includes(k)) return true
    return false
  }

  // ---- operations -------------------------------------------------------------

  async #step(): Promise<void> {
    this.raced.clear()
    this.racedWriteback = 0
    this.raceTargets = []
    this.clens.clear()
    const poolBefore = this.s.zpool.inner.totalPages
    const faultCountersBefore = this.#faultCounters()
    const kind = this.prng.weighted([30, 8, 22, 6, 8, 3, 4, 3, 2, 2])
    let isStore = false
    switch (kind) {
      case 0:
        await this.#store(1)
        isStore = true
        break
      case 1:
        await this.#store(2 + this.prng.int(4))
        isStore = true
        break
      case 2:
        await this.#load(1)
        break
      case 3:
        await this.#load(2 + this.prng.int(3))
        break
      case 4:
        this.#invalidate()
        break
      case 5:
        this.#invalidateRange()
        break
      case 6:
        await this.#shrink()
        break
      case 7:
        this.#setParams()
        break
      case 8:
        this.#setCgroup()
        break
      case 9:
        this.#setCompressor()
        break
    }
    const disrupted = this.#disrupted()
    const fired = [...this.sw.firedSite]
    this.sw.reset()
    await this.#reconcile()
    this.#checkStats()
    // a driver fault is a counted rejection (docs/DESIGN.md): the counter of the kind that fired rose
    const counted = this.#faultCounters()
    for (const [kind, site] of fired) {
      const c = counterOf(kind, site, this.incompressible === 'store')
      if (c !== undefined && counted[c] <= faultCountersBefore[c]) {
        fail(`fault ${kind} (in a ${site} call) was not counted: stats.${c} stayed at ${counted[c]}`)
      }
    }
    if (!disrupted) {
      // with healthy drivers these counters never move: a page that does not fit is reject_compress_poor
      const after = this.#faultCounters()
      for (const k of FAULT_COUNTERS) {
        if (after[k] !== faultCountersBefore[k]) {
          fail(`stats.${k} rose from ${faultCountersBefore[k]} to ${after[k]} with no fault injected`)
        }
      }
    }
    if (isStore) {
      const after = this.s.zpool.inner.totalPages
      const bound = Math.max(poolBefore, this.s.cache.maxPoolPages + POOL_SLACK_PAGES)
      if (after > bound)
        fail(
          `a store grew the pool to ${after} pages, past the limit ${this.s.cache.maxPoolPages} (+${POOL_SLACK_PAGES} slack)`,
        )
    }
  }

  #faultCounters(): Record<FaultCounter, number> {
    const st = this.s.cache.stats()
    return {
      decompress_fail: st.decompress_fail,
      reject_alloc_fail: st.reject_alloc_fail,
      reject_compress_fail: st.reject_compress_fail,
      reject_reclaim_fail: st.reject_reclaim_fail,
    }
  }

  #pickOrder(): number {
    const r = this.prng.weighted([60, 12, 13, 8, 7])
    return r
  }

  #pickCgroup(): string {
    return CGROUPS[this.prng.weighted([70, 20, 10])]
  }

  #newFolio(start: number, order: number, cgroup: string): Folio {
    const data = new Uint8Array(PAGE_SIZE << order)
    // 1 in 20 an all-zero folio (the zero map's); 1 in 20 a folio with one zero page (stored normally)
    const shape = this.prng.int(20)
    if (shape !== 0) this.pagesSrc.fill(data)
    if (shape === 1 && order > 0) {
      const z = this.prng.int(1 << order)
      data.fill(0, z * PAGE_SIZE, (z + 1) * PAGE_SIZE)
    }
    this.clens.set(data.buffer, new Int32Array(1 << order).fill(-1))
    return cgroup === ROOT_CGROUP
      ? { swap: { type: 0, offset: start }, order, data }
      : { swap: { type: 0, offset: start }, order, data, cgroup }
  }

  /** True when the zero map takes `folio` (zeroPages 'map' and all its bytes zero): stored whatever the state. */
  #zeroMapped(folio: Folio): boolean {
    return this.zeroPages === 'map' && folio.data.every((b) => b === 0)
  }

  /** A folio the model must see rejected whatever the cache's state: disabled, mTHP off, or a cgroup that cannot make room. */
  #mustReject(folio: Folio, extra: number): string | undefined {
    if (this.#zeroMapped(folio)) return undefined
    if (!this.enabled) return 'the cache is disabled'
    if (folio.order > 0 && !this.mthpEnabled) return 'mthpEnabled is off'
    const name = folio.cgroup ?? ROOT_CGROUP
    const cg = this.model.cg(name)
    if (cg.zswapMax === 0) return `cgroup ${name} has zswapMax 0`
    if (cg.writeback || cg.zswapMax === Number.POSITIVE_INFINITY) return undefined
    const usage = this.model.usage(name, (o) => this.#inBatch(o))
    if (usage >= 0 && usage + extra >= cg.zswapMax) {
      return `cgroup ${name} is at ${usage + extra} ≥ zswapMax ${cg.zswapMax} bytes with writeback off (guards issue 10 item 8 when in a batch)`
    }
    return undefined
  }

  batch: readonly Folio[] = []

  #inBatch(offset: number): boolean {
    for (const f of this.batch)
      if (offset >= f.swap.offset && offset < f.swap.offset + (1 << f.order)) return true
    return false
  }

  async #store(n: number): Promise<void> {
    const folios: Folio[] = []
    const blocks = new Set<number>()
    for (let i = 0; i < n; i++) {
      const block = this.prng.int(FUZZ_OFFSETS / BLOCK)
      if (blocks.has(block)) continue
      blocks.add(block)
      const order = this.#pickOrder()
      const start = block * BLOCK + (this.prng.int(BLOCK >> order) << order)
      folios.push(this.#newFolio(start, order, this.#pickCgroup()))
    }
    this.batch = folios
    for (const f of folios) for (let i = 0; i < 1 << f.order; i++) this.raceTargets.push(f.swap.offset + i)
    const fault = this.#arm()
    const single = folios.length === 1 && this.prng.chance(0.8)
    this.#log(
      `${single ? 'store' : 'storeBatch'} ${folios.map((f) => `${f.swap.offset}/o${f.order}/${f.cgroup ?? '/'}`).join(' ')}${fault}`,
    )
    let results: boolean[] | undefined
    let threw: unknown
    try {
      results = single ? [await this.s.cache.store(folios[0])] : await this.s.cache.storeBatch(folios)
    } catch (error) {
      threw = error
    }
    // A store never throws for a driver fault (docs/DESIGN.md: a counted rejection); if a bug makes it
    // throw, it must still unwind every folio not yet stored: the caller cannot tell which folios were
    // kept, so a page left behind (new or stale) could later load as wrong data. Checked first, then
    // the throw itself is reported.
    // compressed bytes the folios stored earlier in this batch added, per cgroup
    const extra = new Map<string, number>()
    for (let f = 0; f < folios.length; f++) {
      const folio = folios[f]
      const pages = 1 << folio.order
      const { offset } = folio.swap
      const ok = results?.[f] ?? false
      const name = folio.cgroup ?? ROOT_CGROUP
      const lens = this.clens.get(folio.data.buffer) as Int32Array
      const zero = this.#zeroMapped(folio)
      if (zero && !ok)
        fail(`store of the all-zero folio ${offset}/o${folio.order} resolved false (the zero map takes it)`)
      if (zero) {
        for (let i = 0; i < pages; i++) {
          const o = offset + i
          if (!this.s.cache.has({ type: 0, offset: o })) {
            // a racing invalidate (during another folio's compress batch) may have cleared it
            if (this.raced.has(o)) {
              this.model.delete(o)
              continue
            }
            fail(`zero-mapped page ${o} is not held`)
          }
          this.model.set(o, {
            data: folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE),
            cached: true,
            cgroup: name,
            clen: 0,
            zero: true,
            start: offset,
            order: folio.order,
          })
        }
        this.model.swpoutZero += pages
        this.stored++
        continue
      }
      if (ok) {
        const reason = this.#mustReject(folio, extra.get(name) ?? 0)
        if (reason !== undefined) fail(`store of ${offset}/o${folio.order} resolved true although ${reason}`)
        for (let i = 0; i < pages; i++) {
          const o = offset + i
          const clen = lens[i]
          // a page the racing invalidate freed was uncharged then, maybe before a later folio's
          // check: it does not count against the later folios (lenient: a check after it is missed)
          const gone = this.raced.has(o) && !this.s.cache.has({ type: 0, offset: o })
          if (!gone) extra.set(name, clen >= 0 ? (extra.get(name) ?? 0) + clen : Number.NaN)
          const state: PageState = {
            data: folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE),
            cached: true,
            cgroup: name,
            clen,
            start: offset,
            order: folio.order,
          }
          this.model.set(o, state)
          // A page of a folio committed earlier in the same batch, then gone: freed by the racing
          // invalidate (as if invalidated after the store), or written back by a later folio's limit
          // before the invalidate ran (which then found nothing: the device holds the page, and the
          // reconcile counts it). A single store commits after its last batch, so it must either hold
          // every page or resolve false.
          if (gone) {
            if (single)
              fail(
                `store of ${offset}/o${folio.order} resolved true although an invalidate freed its page ${o} during the store`,
              )
            if (!(await this.#deviceHolds(o, state.data))) this.model.delete(o)
          }
        }
        this.model.zswpout[folio.order]++
        this.model.cg(name).zswpout += pages
        this.stored++
      } else {
        for (let i = 0; i < pages; i++) {
          const o = offset + i
          if (this.s.cache.has({ type: 0, offset: o })) {
            fail(
              `${threw === undefined ? 'rejected' : 'failed (threw)'} store of ${offset}/o${folio.order} left page ${o} in the cache (all-or-nothing, guards issue 10 item 3)`,
            )
          }
          this.model.delete(o)
        }
      }
    }
    this.batch = []
    if (threw !== undefined) this.#threw('store', threw)
    this.#checkCgroupWriteback(extra)
  }

  /**
   * A cgroup with write-back on that is at or over zswapMax when a folio of it is checked writes back
   * until it is under (obj_cgroup_may_zswap + shrink_memcg). So whenever this call stored folios of
   * such a cgroup, what it holds now minus what those folios added is under the limit: write-back,
   * freed stale entries and invalidates only lower it. Kills a loop that stops at usage == limit
   * (`setCgroup` sometimes sets zswapMax to the cgroup's usage exactly, so the equality happens).
   */
  #checkCgroupWriteback(added: ReadonlyMap<string, number>): void {
    const st = this.s.cache.stats()
    for (const [name, bytes] of added) {
      const cg = this.model.cg(name)
      if (!cg.writeback || cg.zswapMax === 0 || !Number.isFinite(cg.zswapMax) || !Number.isFinite(bytes))
        continue
      const held = st.cgroups[name].zswap - bytes
      if (held >= cg.zswapMax) {
        fail(
          `cgroup ${name} stored folios while holding ${held} ≥ zswapMax ${cg.zswapMax} bytes with writeback on: it must write back until it is under first`,
        )
      }
    }
  }

  /** The swap device holds exactly `data` at `offset`. */
  async #deviceHolds(offset: number, data: Uint8Array): Promise<boolean> {
    const page = new Uint8Array(PAGE_SIZE)
    await this.s.device.read(offset, page)
    return firstDifference(page, data) < 0
  }

  /**
   * store, load and shrink never throw for a driver fault or a race: docs/DESIGN.md ("a driver
   * fault inside a store is a counted rejection, not an exception"; a failed load resolves false with
   * every entry in place; write-back counts a reclaim failure). Only a cache bug can make them throw.
   */
  #threw(op: string, error: unknown): never {
    const fired = [...this.sw.firedNow].join(', ') || 'none'
    fail(
      `${op} threw ${describe(error)} (faults fired: ${fired}); the documented rule is a counted rejection, never an exception`,
    )
  }

  /** A stored folio (start, order) from the model, or a random aligned one. */
  #pickLoadTarget(): { start: number; order: number } {
    if (this.model.cachedCount > 0 && this.prng.chance(0.85)) {
      for (let tries = 0; tries < 8; tries++) {
        const o = this.prng.int(FUZZ_OFFSETS)
        const p = this.model.pages.get(o)
        if (p === undefined || !p.cached) continue
        if (p.order > 0 && this.prng.chance(0.15)) return { start: o, order: 0 }
        return { start: p.start, order: p.order }
      }
    }
    const order = this.#pickOrder()
    return { start: this.prng.int(FUZZ_OFFSETS >> order) << order, order }
  }

  async #load(n: number): Promise<void> {
    const folios: Folio[] = []
    for (let i = 0; i < n; i++) {
      const { start, order } = this.#pickLoadTarget()
      const end = start + (1 << order)
      if (folios.some((f) => start < f.swap.offset + (1 << f.order) && f.swap.offset < end)) continue
      const data = new Uint8Array(PAGE_SIZE << order).fill(0xa5)
      folios.push({ swap: { type: 0, offset: start }, order, data })
    }
    for (const f of folios) for (let i = 0; i < 1 << f.order; i++) this.raceTargets.push(f.swap.offset + i)
    const before = folios.map((f) => {
      for (let i = 0; i < 1 << f.order; i++) if (!this.model.isCached(f.swap.offset + i)) return false
      return true
    })
    const fault = this.#arm()
    const single = folios.length === 1 && this.prng.chance(0.8)
    this.#log(
      `${single ? 'load' : 'loadBatch'} ${folios.map((f) => `${f.swap.offset}/o${f.order}`).join(' ')}${fault}`,
    )
    let results: boolean[] | undefined
    let threw: unknown
    try {
      results = single ? [await this.s.cache.load(folios[0])] : await this.s.cache.loadBatch(folios)
    } catch (error) {
      threw = error
    }
    for (let f = 0; f < folios.length; f++) {
      const folio = folios[f]
      const { offset } = folio.swap
      const pages = 1 << folio.order
      const ok = results?.[f] ?? false
      if (ok) {
        for (let i = 0; i < pages; i++) {
          const o = offset + i
          const p = this.model.pages.get(o)
          if (p === undefined || !p.cached)
            fail(`load of ${offset}/o${folio.order} resolved true but page ${o} was not in the cache`)
          const got = folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)
          const at = firstDifference(got, p.data)
          if (at >= 0)
            fail(`load of ${offset}/o${folio.order} returned WRONG BYTES for page ${o} (first at byte ${at})`)
          if (this.s.cache.has({ type: 0, offset: o }))
            fail(`exclusive load of ${offset}/o${folio.order} left page ${o} in the cache`)
          if (p.zero) this.model.swpinZero++
          else if (!this.raced.has(o)) this.model.cg(p.cgroup).zswpin++
          this.model.delete(o)
        }
        this.loaded++
      } else {
        for (let i = 0; i < pages; i++) {
          const o = offset + i
          if (this.raced.has(o)) {
            this.model.delete(o)
            continue
          }
          if (this.model.isCached(o) && !this.s.cache.has({ type: 0, offset: o })) {
            fail(
              `a load of ${offset}/o${folio.order} that ${threw === undefined ? 'resolved false' : 'threw'} removed page ${o} (must change nothing)`,
            )
          }
        }
        if (before[f] && threw === undefined && !this.#disrupted()) {
          fail(
            `load of ${offset}/o${folio.order} resolved false although every page was stored and no fault was injected`,
          )
        }
      }
    }
    if (threw !== undefined) this.#threw('load', threw)
  }

  #invalidate(): void {
    const o = this.#pickOffset()
    this.#log(`invalidate ${o}`)
    const expected = this.model.isCached(o)
    const got = this.s.cache.invalidate({ type: 0, offset: o })
    if (got !== expected) fail(`invalidate(${o}) returned ${got}, the model says ${expected}`)
    this.model.delete(o)
  }

  #invalidateRange(): void {
    const start = this.#pickOffset()
    const n = Math.min(1 + this.prng.int(32), FUZZ_OFFSETS - start)
    this.#log(`invalidateRange ${start} ${n}`)
    let expected = 0
    for (let o = start; o < start + n; o++) {
      if (this.model.isCached(o)) expected++
      this.model.delete(o)
    }
    const got = this.s.cache.invalidateRange({ type: 0, offset: start }, n)
    if (got !== expected) fail(`invalidateRange(${start}, ${n}) returned ${got}, the model says ${expected}`)
  }

  #pickOffset(): number {
    if (this.model.cachedCount > 0 && this.prng.chance(0.7)) {
      for (let tries = 0; tries < 8; tries++) {
        const o = this.prng.int(FUZZ_OFFSETS)
        if (this.model.isCached(o)) return o
      }
    }
    return this.prng.int(FUZZ_OFFSETS)
  }

  async #shrink(): Promise<void> {
    const n = 1 + this.prng.int(8)
    const fault = this.#arm()
    this.#log(`shrink ${n}${fault}`)
    const wbBefore = this.model.writtenBack
    let got: number
    try {
      got = await this.s.cache.shrink(n)
    } catch (error) {
      this.#threw('shrink', error)
    }
    if (got > n) fail(`shrink(${n}) returned ${got}`)
    await this.#reconcile()
    const moved = this.model.writtenBack - wbBefore
    if (got < moved || got > moved + this.racedWriteback) {
      fail(
        `shrink(${n}) returned ${got} but ${moved} pages moved to the swap device (+${this.racedWriteback} raced)`,
      )
    }
  }

  #setParams(): void {
    const params = {
      maxPoolPercent: this.prng.pick([2, 5, 8, 12, 20]),
      acceptThresholdPercent: this.prng.pick([50, 90, 100]),
      enabled: this.prng.chance(0.95),
      mthpEnabled: this.prng.chance(0.85),
      shrinkerEnabled: this.prng.chance(0.9),
    }
    this.#log(`setParams ${JSON.stringify(params)}`)
    this.s.cache.setParams(params)
    const max = Math.floor(((RAM_BYTES / PAGE_SIZE) * params.maxPoolPercent) / 100)
    if (this.s.cache.maxPoolPages !== max)
      fail(
        `maxPoolPages is ${this.s.cache.maxPoolPages}, expected ⌊${RAM_BYTES / PAGE_SIZE} × ${params.maxPoolPercent} %⌋ = ${max}`,
      )
    this.enabled = params.enabled
    this.mthpEnabled = params.mthpEnabled
    const got = this.s.cache.params
    for (const [k, v] of Object.entries(params)) {
      if (got[k as keyof typeof got] !== v)
        fail(`params.${k} is ${got[k as keyof typeof got]} after setParams(${k}: ${v})`)
    }
  }

  #setCompressor(): void {
    const which = this.prng.int(2)
    this.#log(`setCompressor ${which === 0 ? this.combo.compressor.name : 'alternate'}`)
    this.s.cache.setCompressor(this.s.accels[which])
    if (which === 1) this.s.altUsed = true
  }

  #setCgroup(): void {
    const name = this.prng.pick(['a', 'b'])
    // -1: exactly the cgroup's usage now, so its next folio meets usage == zswapMax
    const pick = this.prng.pick([0, 4000, 20_000, 60_000, Number.POSITIVE_INFINITY, -1])
    const zswapMax = pick === -1 ? this.s.cache.stats().cgroups[name].zswap : pick
    const writeback = this.prng.chance(0.6)
    this.#log(`setCgroup ${name} zswapMax=${zswapMax} writeback=${writeback}`)
    this.s.cache.setCgroup(name, { zswapMax, writeback })
    const cg = this.model.cg(name)
    cg.zswapMax = zswapMax
    cg.writeback = writeback
  }

  // ---- checks -----------------------------------------------------------------

  /** Pages that left the cache without the model removing them were written back: the device must hold them exactly. */
  async #reconcile(): Promise<void> {
    const cache = this.s.cache
    const page = new Uint8Array(PAGE_SIZE)
    for (let o = 0; o < FUZZ_OFFSETS; o++) {
      const p = this.model.pages.get(o)
      const has = cache.has({ type: 0, offset: o })
      if (p === undefined || !p.cached) {
        if (has)
          fail(
            `the cache holds page ${o}, which the model says was ${p === undefined ? 'never stored, or removed' : 'written back'}`,
          )
        continue
      }
      if (has) continue
      if (p.zero) fail(`zero-mapped page ${o} left the cache (nothing may write it back)`)
      await this.s.device.read(o, page)
      const at = firstDifference(page, p.data)
      if (at >= 0) {
        fail(
          `page ${o} left the cache but the swap device does not hold it (first difference at byte ${at}): lost, or written back wrong`,
        )
      }
      if (!this.model.cg(p.cgroup).writeback)
        fail(`page ${o} of cgroup ${p.cgroup} was written back although its writeback is off`)
      this.model.writeBack(o)
      this.writtenBackTotal++
    }
  }

  #checkStats(): void {
    const { cache, zpool } = this.s
    const m = this.model
    const st = cache.stats()
    if (st.stored_pages !== m.pooledCount)
      fail(`stats.stored_pages ${st.stored_pages} ≠ model ${m.pooledCount} (zero-mapped pages excluded)`)
    const raw = m.rawCount()
    if (raw >= 0 && st.stored_incompressible_pages !== raw)
      fail(`stats.stored_incompressible_pages ${st.stored_incompressible_pages} ≠ model ${raw}`)
    if (this.incompressible === 'reject' && st.stored_incompressible_pages !== 0)
      fail(
        `stats.stored_incompressible_pages is ${st.stored_incompressible_pages} with incompressible 'reject'`,
      )
    if (st.swpout_zero !== m.swpoutZero) fail(`stats.swpout_zero ${st.swpout_zero} ≠ model ${m.swpoutZero}`)
    if (st.swpin_zero < m.swpinZero || st.swpin_zero > m.swpinZero + this.raced.size)
      fail(`stats.swpin_zero ${st.swpin_zero} ≠ model ${m.swpinZero}`)
    m.swpinZero = st.swpin_zero
    if (zpool.live !== st.stored_pages)
      fail(`the zpool holds ${zpool.live} objects for ${st.stored_pages} stored pages (leak)`)
    if (st.pool_total_size !== zpool.inner.totalPages * PAGE_SIZE)
      fail(`stats.pool_total_size ${st.pool_total_size} ≠ zpool pages × 4096`)
    const zswpout = Object.values(st.zswpout)
    for (let i = 0; i < m.zswpout.length; i++) {
      if (zswpout[i] !== m.zswpout[i]) fail(`stats.zswpout[order ${i}] ${zswpout[i]} ≠ model ${m.zswpout[i]}`)
    }
    if (
      st.written_back_pages < m.writtenBack ||
      st.written_back_pages > m.writtenBack + this.racedWriteback
    ) {
      fail(
        `stats.written_back_pages ${st.written_back_pages} ≠ model ${m.writtenBack} (+${this.racedWriteback} raced)`,
      )
    }
    m.writtenBack = st.written_back_pages
    for (const [name, cm] of m.cgroups) {
      const c = st.cgroups[name]
      if (c === undefined) fail(`stats.cgroups lacks ${name}`)
      const zswapped = m.cachedIn(name)
      if (c.zswapped !== zswapped) fail(`cgroup ${name}: zswapped ${c.zswapped} ≠ model ${zswapped}`)
      const usage = m.usage(name)
      if (usage >= 0 && c.zswap !== usage) fail(`cgroup ${name}: zswap ${c.zswap} bytes ≠ model ${usage}`)
      if (c.zswpout !== cm.zswpout) fail(`cgroup ${name}: zswpout ${c.zswpout} ≠ model ${cm.zswpout}`)
      const racedPages = this.raced.size
      if (c.zswpin < cm.zswpin || c.zswpin > cm.zswpin + racedPages)
        fail(`cgroup ${name}: zswpin ${c.zswpin} ≠ model ${cm.zswpin}`)
      cm.zswpin = c.zswpin
      if (c.zswpwb < cm.zswpwb || c.zswpwb > cm.zswpwb + this.racedWriteback)
        fail(`cgroup ${name}: zswpwb ${c.zswpwb} ≠ model ${cm.zswpwb}`)
      cm.zswpwb = c.zswpwb
    }
  }

  /** Invalidates everything: no entry, no zpool object and no pool page may remain. */
  async #checkpoint(): Promise<void> {
    this.#log('checkpoint: invalidateRange(0, all)')
    const cache = this.s.cache
    const freed = cache.invalidateRange({ type: 0, offset: 0 }, FUZZ_OFFSETS)
    if (freed !== this.model.cachedCount)
      fail(`checkpoint freed ${freed} pages, the model holds ${this.model.cachedCount}`)
    this.model.clear()
    const st = cache.stats()
    if (st.stored_pages !== 0) fail(`after invalidating everything stats.stored_pages is ${st.stored_pages}`)
    if (this.s.zpool.live !== 0)
      fail(`after invalidating everything the zpool holds ${this.s.zpool.live} objects (leak)`)
    if (this.s.zpool.inner.totalPages !== 0)
      fail(`after invalidating everything the pool holds ${this.s.zpool.inner.totalPages} pages (must be 0)`)
    for (const [name, c] of Object.entries(st.cgroups)) {
      if (c.zswap !== 0 || c.zswapped !== 0)
        fail(`after invalidating everything cgroup ${name} is charged ${c.zswap} bytes, ${c.zswapped} pages`)
    }
    this.checkpoints++
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

function describe(error: unknown): string {
  if (ZswapError.isInstance(error)) return `${error.name} (${error.code}): ${error.message}`
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}
