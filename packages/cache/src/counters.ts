import { ORDER_LABELS, type ZswapStats } from './options.js'

/** The global debugfs counters (cumulative, except where noted). */
export class Counters {
  pool_limit_hit = 0
  reject_compress_fail = 0
  reject_compress_poor = 0
  reject_alloc_fail = 0
  reject_reclaim_fail = 0
  decompress_fail = 0
  written_back_pages = 0
  /** Gauge: raw (incompressible) pages stored now. */
  stored_incompressible_pages = 0
  swpout_zero = 0
  swpin_zero = 0
  /** Folios stored, by order. */
  readonly zswpout = new Float64Array(ORDER_LABELS.length)
  /** All-zero folios mapped, by order. */
  readonly swpoutZero = new Float64Array(ORDER_LABELS.length)

  snapshot(): Omit<ZswapStats, 'stored_pages' | 'stored_objects' | 'pool_total_size' | 'cgroups'> {
    const zswpout = {} as ZswapStats['zswpout']
    const zeroFolios = {} as ZswapStats['swpout_zero_folios']
    ORDER_LABELS.forEach((label, order) => {
      zswpout[label] = this.zswpout[order]
      zeroFolios[label] = this.swpoutZero[order]
    })
    return {
      pool_limit_hit: this.pool_limit_hit,
      reject_compress_fail: this.reject_compress_fail,
      reject_compress_poor: this.reject_compress_poor,
      reject_alloc_fail: this.reject_alloc_fail,
      reject_reclaim_fail: this.reject_reclaim_fail,
      decompress_fail: this.decompress_fail,
      written_back_pages: this.written_back_pages,
      stored_incompressible_pages: this.stored_incompressible_pages,
      swpout_zero: this.swpout_zero,
      swpout_zero_folios: zeroFolios,
      swpin_zero: this.swpin_zero,
      zswpout,
    }
  }
}

/**
 * Time in accelerator batches of an accelerator whose time is modeled
 * (`capabilities.timing: 'modeled'`), store (compress) and load (decompress)
 * batches only, in ns: the wall time this thread waited for them (measured),
 * and the time the modeled hardware would take (each batch: the largest of
 * its jobs' `modeledNs`). A caller's modeled latency is its measured time −
 * `*WaitNs` + `*ModeledNs` over the same span; exact when calls do not overlap.
 * Live: the cache updates this object in place.
 */
export class AcceleratorTime {
  /** The model's name, once a modeled accelerator has run a batch. */
  model: string | undefined = undefined
  compressBatches = 0
  compressWaitNs = 0
  compressModeledNs = 0
  decompressBatches = 0
  decompressWaitNs = 0
  decompressModeledNs = 0

  /** Counts one batch of `count` jobs that started at `t0` (performance.now() ms). */
  add(
    compress: boolean,
    t0: number,
    jobs: readonly { modeledNs?: number }[],
    count: number,
    model: string,
  ): void {
    const wait = (performance.now() - t0) * 1e6
    let modeled = 0
    for (let i = 0; i < count; i++) {
      const ns = jobs[i].modeledNs ?? 0
      if (ns > modeled) modeled = ns
    }
    this.model = model
    if (compress) {
      this.compressBatches++
      this.compressWaitNs += wait
      this.compressModeledNs += modeled
    } else {
      this.decompressBatches++
      this.decompressWaitNs += wait
      this.decompressModeledNs += modeled
    }
  }
}
