import type { EngineTiming, PathOverhead } from './device-model.js'
import type { PublishedLatency } from './published-spr.js'

/** A direction's parameters fitted to latencies of one path, and how well they fit. */
export interface DirectionFit extends EngineTiming, PathOverhead {
  /** Largest |modeled − measured| ÷ measured over the rows. */
  maxRelError: number
  /** Iterations until the schedule's shape stopped changing. */
  iterations: number
}

/**
 * Least-squares fit of one direction of the model to calls of `jobs` equal
 * jobs each (e.g. the by_n table): finds `batchNs` (a0), `submitNs` (c),
 * `engineNs` (t_e) and `bytesPerNs` (B) minimising the squared relative error.
 *
 * For equal jobs, the last job's finish is `kc·c + kd·(t_e + s/B)`, where the
 * integers kc, kd depend only on which of "submitted" and "engine free" came
 * later for each job (the schedule's shape). With the shape fixed the model is
 * linear in (a0, c, t_e, 1/B): solve that weighted linear least-squares
 * problem, recompute the shape with the new parameters, repeat until the
 * shape stops changing.
 *
 * When no row queues on the engines (every job starts when submitted), only
 * a0 + t_e is determined: give `options.batchNs` (a0, e.g. the other
 * direction's on the same path) and the other three are fitted.
 * @param engines E, fixed (not fitted)
 */
export function fitDirection(
  rows: readonly PublishedLatency[],
  engines: number,
  options: { batchNs?: number } = {},
): DirectionFit {
  if (rows.length < 4) throw new RangeError('[@zswap/iaa] fitting 4 parameters needs at least 4 rows')
  // The iteration can settle on the shape of a poorer fit: start from a grid of (c, t_e) and
  // keep the best fixed point with no negative parameter.
  const one = rows.find((r) => r.jobs === 1) ?? rows[0]
  let best: DirectionFit | undefined
  let bestCost = Number.POSITIVE_INFINITY
  for (let c = 25; c <= 1000; c += 25) {
    for (const te of [0, 100, 250, 500, 1000, 2000]) {
      const start = [options.batchNs ?? 0, c, te, one.bytesPerJob / one.ns]
      const fit = iterate(rows, engines, start, options.batchNs !== undefined)
      if (fit === undefined) continue
      const cost = relativeCost(rows, engines, fit)
      if (cost < bestCost) {
        bestCost = cost
        best = fit
      }
    }
  }
  if (best === undefined) {
    throw new RangeError(
      options.batchNs === undefined
        ? '[@zswap/iaa] no fit with non-negative parameters: if no row queues on the engines, ' +
            'batchNs and engineNs cannot be told apart; give options.batchNs'
        : '[@zswap/iaa] no fit with non-negative parameters',
    )
  }
  return best
}

/** Σ of squared relative errors of `fit` over `rows`. */
function relativeCost(rows: readonly PublishedLatency[], engines: number, fit: DirectionFit): number {
  const p = [fit.batchNs, fit.submitNs, fit.engineNs, 1 / fit.bytesPerNs]
  let cost = 0
  for (const r of rows) {
    const f = features(r, engines, p)
    const e = (f[0] * p[0] + f[1] * p[1] + f[2] * p[2] + f[3] * p[3] - r.ns) / r.ns
    cost += e * e
  }
  return cost
}

function iterate(
  rows: readonly PublishedLatency[],
  engines: number,
  start: number[],
  fixedBatch: boolean,
): DirectionFit | undefined {
  let p = start
  let shape = ''
  let iterations = 0
  for (; iterations < 100; iterations++) {
    const feats = rows.map((r) => features(r, engines, p))
    const next = feats.map((f) => f.join(',')).join(';')
    if (next === shape) break
    shape = next
    if (fixedBatch) {
      // a0 given: fit (c, t_e, 1/B) to the latencies less a0.
      const q = solveWeighted(
        feats.map((f) => f.slice(1)),
        rows.map((r) => r.ns - p[0]),
        rows.map((r) => r.ns),
      )
      p = [p[0], ...q]
    } else
      p = solveWeighted(
        feats,
        rows.map((r) => r.ns),
        rows.map((r) => r.ns),
      )
    if (!p.every(Number.isFinite)) return undefined
  }
  if (!p.every((x) => x >= 0) || p[3] === 0) return undefined
  const [batchNs, submitNs, engineNs, inv] = p
  let maxRelError = 0
  for (const r of rows) {
    const f = features(r, engines, p)
    const y = f[0] * batchNs + f[1] * submitNs + f[2] * engineNs + f[3] * inv
    maxRelError = Math.max(maxRelError, Math.abs(y - r.ns) / r.ns)
  }
  return { batchNs, submitNs, engineNs, bytesPerNs: 1 / inv, maxRelError, iterations }
}

/** [1, kc, kd, kd·s]: the last job's finish under parameters `p`, as a linear form. */
function features(r: PublishedLatency, engines: number, p: number[]): number[] {
  const [, c, te, inv] = p
  const d = te + r.bytesPerJob * inv
  // Per engine: the finish of its last job, as (value, kc, kd).
  const free: [number, number, number][] = Array.from({ length: engines }, () => [0, 0, 0])
  let last: [number, number, number] = [0, 0, 0]
  for (let i = 0; i < r.jobs; i++) {
    let e = 0
    for (let x = 1; x < engines; x++) if (free[x][0] < free[e][0]) e = x
    const submitted: [number, number, number] = [(i + 1) * c, i + 1, 0]
    const start = submitted[0] >= free[e][0] ? submitted : free[e]
    const fin: [number, number, number] = [start[0] + d, start[1], start[2] + 1]
    free[e] = fin
    if (fin[0] >= last[0]) last = fin
  }
  return [1, last[1], last[2], last[2] * r.bytesPerJob]
}

/** Minimises Σ ((x·f − y) / scale)² by the normal equations (Gaussian elimination). */
function solveWeighted(f: number[][], y: number[], scale: number[]): number[] {
  const n = f[0].length
  const a = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0))
  for (let r = 0; r < f.length; r++) {
    const w = 1 / (scale[r] * scale[r])
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i][j] += w * f[r][i] * f[r][j]
      a[i][n] += w * f[r][i] * y[r]
    }
  }
  for (let col = 0; col < n; col++) {
    let piv = col
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r
    ;[a[col], a[piv]] = [a[piv], a[col]]
    for (let r = 0; r < n; r++) {
      if (r === col) continue
      const k = a[r][col] / a[col][col]
      for (let j = col; j <= n; j++) a[r][j] -= k * a[col][j]
    }
  }
  return a.map((row, i) => row[n] / row[i])
}

/**
 * The batch overhead of another path from one single-job latency, the engine
 * and submit parameters kept: `a0 = ns − c − t_e − bytes/B`.
 */
export function fitBatchNs(latencyNs: number, bytes: number, engine: EngineTiming, submitNs: number): number {
  return latencyNs - submitNs - engine.engineNs - bytes / engine.bytesPerNs
}
