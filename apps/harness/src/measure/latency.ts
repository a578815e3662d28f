import { build, type Histogram } from 'hdr-histogram-js'

/** Latency percentiles of one phase, microseconds. */
export interface LatencySummary {
  /** Calls recorded. */
  count: number
  p50Us: number
  p90Us: number
  p99Us: number
  maxUs: number
}

/** Percentiles a CDF is sampled at (fractions). */
const CDF_POINTS = [
  0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999, 1,
]

/**
 * Per-call latencies in an HDR histogram (nanoseconds, 3 significant digits,
 * auto-resizing so a GC pause never overflows it). Recording allocates nothing.
 */
export class LatencyRecorder {
  readonly #h: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 1e9,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  })

  /** Records one call of `ms` milliseconds (performance.now() units). */
  record(ms: number): void {
    this.#h.recordValue(Math.max(1, Math.round(ms * 1e6)))
  }

  get count(): number {
    return this.#h.totalCount
  }

  summary(): LatencySummary {
    const h = this.#h
    return {
      count: h.totalCount,
      p50Us: h.getValueAtPercentile(50) / 1e3,
      p90Us: h.getValueAtPercentile(90) / 1e3,
      p99Us: h.getValueAtPercentile(99) / 1e3,
      maxUs: h.maxValue / 1e3,
    }
  }

  /** `[µs, fraction of calls at or below]` points for a CDF chart. */
  cdf(): [number, number][] {
    if (this.#h.totalCount === 0) return []
    return CDF_POINTS.map((q) => [this.#h.getValueAtPercentile(q * 100) / 1e3, q])
  }

  /** Frees the histogram's WebAssembly/JS memory. */
  destroy(): void {
    this.#h.destroy()
  }
}
