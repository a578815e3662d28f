import { cpus } from 'node:os'
import { type Accelerator, type Compressor, ErrorCode, PageArena, ZswapError } from '@zswap/core'
import type { Corpus } from './corpus.js'
import { medianRecord } from './measure/median.js'
import { paretoFront } from './measure/pareto.js'
import { DEFAULT_SCALE_OBJECTS, poolAtScale } from './measure/pool-at-scale.js'
import { workloadRatios } from './measure/ratios.js'
import { interleavedRounds } from './measure/rounds.js'
import {
  type ComparisonReport,
  SCHEMA_VERSION,
  type StackResult,
  type SweepInfo,
  type WorkloadInfo,
} from './schema.js'
import { DriverRegistry } from './spec/registry.js'
import {
  type ComposedStack,
  closeDriver,
  composeStack,
  parseStack,
  type StackPlan,
  zpoolMaker,
} from './spec/stack-spec.js'
import { expandSweep } from './spec/terms.js'
import { UsageError } from './spec/usage-error.js'
import { compressorBackend } from './stacks.js'
import { type FolioPlan, planFolios } from './workloads/folios.js'
import type { Measurement } from './workloads/measurement.js'
import { pressureDetailed } from './workloads/pressure.js'
import { replayDetailed } from './workloads/replay.js'
import { syntheticCorpus } from './workloads/synthetic.js'
import { memcpyTarget, zswapTarget } from './workloads/targets.js'
import { parseWorkload, type WorkloadPlan } from './workloads/workload-spec.js'

/** Progress of a comparison, for progress bars. */
export interface ProgressEvent {
  workload: string
  stack: string
  /** Runs done of this stack on this workload (warm-up included) and the total. */
  done: number
  total: number
}

/** Options of {@link compareStacks}. */
export interface CompareOptions {
  /** Stack specs (`lz4+zsmalloc`, `zstd-{1..5}+zbud` for a sweep, ...). */
  stacks: readonly string[]
  /** Workload specs (`replay(order=4)`, `pressure(streams=4)`, ...). Default: `replay`. */
  workloads?: readonly string[]
  /** Corpora for replay and pressure workloads. */
  corpora: readonly Corpus[]
  /** Measured runs per stack and workload (default 3). */
  runs?: number
  /** Unrecorded runs first (default 1). */
  warmup?: number
  /** Add the memcpy baseline row (default true). */
  baseline?: boolean
  /** Driver registry (default: the built-in drivers). */
  registry?: DriverRegistry
  /** The input cap the corpora were read with, for the report. */
  maxPages?: number
  /**
   * Objects each stack's pool is measured at besides the run's own (see
   * `poolAtScale`): the objects of the first measured run allocated again in
   * a fresh zpool until there are this many. Default 200,000; 0 for none.
   */
  scaleObjects?: number
  /** Wraps each fresh codec, e.g. with an injected fault. */
  wrapCodec?: (codec: Compressor | Accelerator) => Compressor | Accelerator
  onProgress?: (event: ProgressEvent) => void
  /** Version written into the report (the harness package's). */
  version?: string
}

interface Instance {
  info: WorkloadInfo
  plan: WorkloadPlan
  corpus: Corpus
  folios: FolioPlan
}

const BASELINE = 'memcpy' as const
/** The progress events' workload name while pools are measured at scale. */
export const SCALING = 'pools at scale'

/**
 * Expands and checks stack specs (sweeps included) against the registry.
 * @throws UsageError for an unknown name, a bad parameter or a repeated stack.
 */
export function planStacks(
  specs: readonly string[],
  registry: DriverRegistry,
): { plans: StackPlan[]; sweeps: SweepInfo[] } {
  const plans: StackPlan[] = []
  const sweeps: SweepInfo[] = []
  for (const spec of specs) {
    const { specs: expanded, values } = expandSweep(spec, 'stack')
    const made = expanded.map((s) => parseStack(s, registry))
    if (values !== undefined) sweeps.push({ spec, values, stacks: made.map((p) => p.name) })
    for (const p of made) if (!plans.some((q) => q.name === p.name)) plans.push(p)
  }
  return { plans, sweeps }
}

/**
 * Composes each stack once and closes it, so that a driver option out of
 * range is a usage error before anything is measured.
 */
export async function checkStacks(plans: readonly StackPlan[], registry: DriverRegistry): Promise<void> {
  for (const plan of plans) {
    const stack = await composeStack(plan, registry)
    let target: ReturnType<typeof zswapTarget>
    try {
      target = zswapTarget(stack, { ramBytes: 1 << 30, mthpEnabled: true })
    } catch (error) {
      await closeDriver(stack.compressor)
      await closeDriver(stack.zpool)
      if ((error as { code?: unknown }).code === 'ERR_INVALID_OPTION') {
        throw new UsageError(`bad stack "${plan.name}": ${(error as Error).message}`)
      }
      throw error
    }
    await target.close()
  }
}

function instances(workloads: readonly string[], corpora: readonly Corpus[]): Instance[] {
  const out: Instance[] = []
  for (const text of workloads) {
    const plan = parseWorkload(text)
    const sources = plan.kind === 'synthetic' ? [syntheticCorpus(plan.synthetic)] : corpora
    for (const corpus of sources) {
      const folios = planFolios(corpus.pages, plan.mix, plan.seed)
      if (folios.count === 0) {
        const smallest = Math.min(...plan.mix.map((m) => m.order))
        throw new UsageError(
          `corpus ${corpus.name} has ${corpus.pages} pages, fewer than one folio of order ${smallest} ` +
            `(${1 << smallest} pages) for workload ${plan.name}`,
        )
      }
      let id = plan.kind === 'synthetic' ? plan.name : `${plan.name} on ${corpus.name}`
      const same = out.find((i) => i.info.id === id)
      if (same !== undefined && same.corpus.path === corpus.path) continue // the same workload twice
      if (same !== undefined) id = `${id} (${corpus.path})` // two corpora of the same name
      out.push({
        info: {
          id,
          kind: plan.kind,
          spec: plan.name,
          corpus: corpus.name,
          pages: folios.pages,
          folios: folios.count,
        },
        plan,
        corpus,
        folios,
      })
    }
  }
  return out
}

/** One run's measurement, and the sizes of the zpool objects it held with everything stored. */
interface Run {
  m: Measurement
  objectSizes: Int32Array | undefined
}

async function runOne(
  instance: Instance,
  plan: StackPlan | typeof BASELINE,
  registry: DriverRegistry,
  wrap: CompareOptions['wrapCodec'],
): Promise<Run> {
  const { corpus, folios } = instance
  if (plan === BASELINE) {
    const d = await replayDetailed(memcpyTarget(), corpus, folios)
    return { m: d.measurement, objectSizes: undefined }
  }
  let stack: ComposedStack = await composeStack(plan, registry)
  const backend = compressorBackend(stack.compressor)
  if (wrap !== undefined) stack = { ...stack, compressor: wrap(stack.compressor) }
  let run: Run
  if (instance.plan.kind === 'pressure') {
    const d = await pressureDetailed(stack, corpus, folios, instance.plan.pressure)
    run = { m: d.measurement, objectSizes: d.objectSizes }
  } else {
    const target = zswapTarget(stack, {
      ramBytes: Math.max(100 * folios.pages * 4096, 1 << 30),
      mthpEnabled: folios.maxOrder > 0,
    })
    const d = await replayDetailed(target, corpus, folios)
    run = { m: d.measurement, objectSizes: d.objectSizes }
  }
  return backend === undefined ? run : { ...run, m: { ...run.m, backend } }
}

/**
 * The pool at scale of one row: the objects of its first measured run
 * allocated again, cycled, in a fresh zpool of the stack's kind until there
 * are `scaleObjects`; the ratios over the workload with that pool.
 */
async function atScale(
  m: Measurement,
  plan: StackPlan,
  sizes: Int32Array | undefined,
  registry: DriverRegistry,
  scaleObjects: number,
  arena: PageArena,
): Promise<Pick<StackResult, 'scaleObjects' | 'poolPagesAtScale' | 'effectiveRatioAtScale'>> {
  const asRun = { scaleObjects: 0, poolPagesAtScale: m.poolPages, effectiveRatioAtScale: m.effectiveRatio }
  if (sizes === undefined) return asRun
  let scaled: ReturnType<typeof poolAtScale>
  try {
    // The project's zpools take their pages from one arena shared by every pass, so the memory
    // is faulted in once, not once per stack (a page budget needs a private arena).
    const shared = plan.zpool.entry.package.startsWith('@zswap/') && plan.zpool.options.maxPages === undefined
    scaled = poolAtScale(await zpoolMaker(plan, registry, shared ? { arena } : {}), sizes, scaleObjects)
  } catch (error) {
    // A zpool with a page budget (`zsmalloc(maxPages=N)`) may not hold the pool at scale: not measured.
    if (ZswapError.hasCode(error, ErrorCode.ZPOOL_FULL)) return asRun
    throw error
  }
  if (scaled === undefined) return asRun
  const { effectiveRatio } = workloadRatios({
    pages: m.pages,
    zeroPages: m.zeroPages,
    heldPages: m.pages - m.zeroPages - m.diskPages,
    compressedBytes: m.compressedBytes,
    poolPages: scaled.pagesForRun,
  })
  return {
    scaleObjects: scaled.objects,
    poolPagesAtScale: scaled.pagesForRun,
    effectiveRatioAtScale: effectiveRatio,
  }
}

function aggregate(runs: Measurement[]): Measurement {
  const m = medianRecord(runs, (r) => r.storeMBps)
  // Integrity is never a median: any bad run makes the row bad, with that run's first mismatch.
  const bad = runs.find((r) => !r.integrity.ok)
  return bad === undefined ? m : { ...m, integrity: bad.integrity }
}

/**
 * Runs every stack on every workload: warm-up rounds, then `runs` rounds with
 * the stacks interleaved (A B C A B C), each run on fresh drivers, and
 * reports the medians.
 */
export async function compareStacks(options: CompareOptions): Promise<ComparisonReport> {
  const registry = options.registry ?? new DriverRegistry()
  const runs = options.runs ?? 3
  const warmup = options.warmup ?? 1
  const scaleObjects = options.scaleObjects ?? DEFAULT_SCALE_OBJECTS
  if (!Number.isInteger(scaleObjects) || scaleObjects < 0) {
    throw new UsageError(`scaleObjects must be a non-negative integer, got ${scaleObjects}`)
  }
  const { plans, sweeps } = planStacks(options.stacks, registry)
  const work = instances(options.workloads ?? ['replay'], options.corpora)
  await checkStacks(plans, registry)
  const subjects: (StackPlan | typeof BASELINE)[] = [
    ...(options.baseline === false ? [] : [BASELINE]),
    ...plans,
  ]
  const results: StackResult[] = []
  // Pools at scale are measured after every run, so their memory never shows in a run's figures.
  const scaling: { row: StackResult; plan: StackPlan; sizes: Int32Array | undefined }[] = []
  /** Modeled rows and the measured row they were made from (the pool at scale is measured once). */
  const twins: [StackResult, StackResult][] = []
  for (const instance of work) {
    const total = runs + warmup
    const done = new Map<number, number>()
    const perStack = await interleavedRounds(subjects, { runs, warmup }, (subject, _round) => {
      const index = subjects.indexOf(subject)
      const name = subject === BASELINE ? BASELINE : subject.name
      return runOne(instance, subject, registry, options.wrapCodec).finally(() => {
        const n = (done.get(index) ?? 0) + 1
        done.set(index, n)
        options.onProgress?.({ workload: instance.info.id, stack: name, done: n, total })
      })
    })
    const rows: StackResult[] = []
    for (const [s, subject] of subjects.entries()) {
      const baseline = subject === BASELINE
      const name = baseline ? BASELINE : subject.name
      const { modeled, ...m } = aggregate(perStack[s].map((r) => r.m))
      const row: StackResult = {
        workload: instance.info.id,
        stack: name,
        baseline,
        medianOf: runs,
        pareto: false,
        ...m,
        scaleObjects: 0,
        poolPagesAtScale: m.poolPages,
        effectiveRatioAtScale: m.effectiveRatio,
      }
      if (!baseline) scaling.push({ row, plan: subject, sizes: perStack[s][0].objectSizes })
      if (modeled === undefined) {
        rows.push(row)
        continue
      }
      // A stack whose accelerator models time: the modeled row, and what the emulation took here.
      const twin: StackResult = {
        ...row,
        stack: `${name} (modeled)`,
        storeMBps: modeled.storeMBps,
        loadMBps: modeled.loadMBps,
        store: modeled.store,
        load: modeled.load,
        timing: 'modeled',
        model: modeled.model,
      }
      row.stack = `${name} (emulation, measured)`
      rows.push(twin, row)
      twins.push([twin, row])
    }
    const candidates = rows.filter((r) => !r.baseline)
    const front = paretoFront(candidates.map((r) => [r.ratio, r.storeMBps] as const))
    candidates.forEach((r, i) => {
      r.pareto = front.has(i)
    })
    results.push(...rows)
  }
  if (scaleObjects > 0) {
    const arena = new PageArena()
    try {
      for (const [i, { row, plan, sizes }] of scaling.entries()) {
        Object.assign(row, await atScale(row, plan, sizes, registry, scaleObjects, arena))
        options.onProgress?.({ workload: SCALING, stack: 'every stack', done: i + 1, total: scaling.length })
      }
    } finally {
      arena.destroy()
    }
  }
  for (const [modeled, measured] of twins) {
    modeled.scaleObjects = measured.scaleObjects
    modeled.poolPagesAtScale = measured.poolPagesAtScale
    modeled.effectiveRatioAtScale = measured.effectiveRatioAtScale
  }
  const cpu = cpus()
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'zswap-harness', version: options.version ?? '0.0.0' },
    createdAt: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      node: process.version,
      platform: process.platform,
      arch: process.arch,
    },
    settings: { runs, warmup, maxPages: options.maxPages ?? 0, scaleObjects },
    workloads: work.map((w) => w.info),
    results,
    sweeps,
  }
}

/** One line per result whose integrity check failed, naming stack, workload, corpus and offset. */
export function comparisonFailures(report: ComparisonReport): string[] {
  return report.results
    .filter((r) => !r.integrity.ok)
    .map((r) => {
      const i = r.integrity
      const at =
        i.firstMismatch === undefined
          ? ''
          : `; first wrong page at page ${i.firstMismatch.page} (byte offset ${i.firstMismatch.byte})`
      return (
        `${r.stack} on ${r.workload}: ${i.mismatchedPages} loaded pages differ from the stored pages, ` +
        `${i.failedLoads} stored folios failed to load, ${i.unexpectedLoads} rejected folios loaded` +
        (i.storeErrors > 0 ? `, ${i.storeErrors} stores threw` : '') +
        at +
        (i.firstError === undefined ? '' : `; first error: ${i.firstError}`)
      )
    })
}
