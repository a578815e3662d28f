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
  /** Folios stored, by order. */
  readonly zswpout = new Float64Array(ORDER_LABELS.length)

  snapshot(): Omit<ZswapStats, 'stored_pages' | 'stored_objects' | 'pool_total_size' | 'cgroups'> {
    const zswpout = {} as ZswapStats['zswpout']
    ORDER_LABELS.forEach((label, order) => {
      zswpout[label] = this.zswpout[order]
    })
    return {
      pool_limit_hit: this.pool_limit_hit,
      reject_compress_fail: this.reject_compress_fail,
      reject_compress_poor: this.reject_compress_poor,
      reject_alloc_fail: this.reject_alloc_fail,
      reject_reclaim_fail: this.reject_reclaim_fail,
      decompress_fail: this.decompress_fail,
      written_back_pages: this.written_back_pages,
      zswpout,
    }
  }
}
