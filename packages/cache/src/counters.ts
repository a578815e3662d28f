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
