import type { LatencySummary } from '../measure/latency.js'
import type { ModeledFigures } from '../measure/modeled-time.js'

/** Where the first wrong page was found. */
export interface Mismatch {
  /** Page offset in the corpus (page index; byte offset = × 4096). */
  page: number
  /** Byte offset in the corpus of the first differing byte. */
  byte: number
}

/** Every loaded page compared with the page stored. */
export interface Integrity {
  ok: boolean
  /** Pages loaded with other bytes than were stored. */
  mismatchedPages: number
  /** Stored folios whose load returned false or threw (pressure: pages found nowhere). */
  failedLoads: number
  /** Rejected folios that still loaded (all-or-nothing broken). */
  unexpectedLoads: number
  /** Store calls that threw instead of storing or rejecting (counted results are expected, throws are not). */
  storeErrors: number
  firstMismatch?: Mismatch
  firstError?: string
}

/** What happened under memory pressure (pressure workload only). */
export interface PressureResult {
  streams: number
  readahead: number
  /** Pool limit, pages. */
  limitPages: number
  /** Pages the shrinker wrote back to the swap file. */
  writtenBack: number
  /** Folios the cache rejected (written to the swap file directly, as swap-out would). */
  rejectedFolios: number
  /** Rejected folios by reason (the cache's reject_* counters and pool_limit_hit). */
  rejects: Record<string, number>
  /** Pages read back from the swap file on swap-in. */
  pagesFromSwapFile: number
  /** `[ms since start, pool pages]`, sampled while storing and loading. */
  poolTimeline: [number, number][]
}

/** One measured run of one stack on one workload. */
export interface Measurement {
  /** Pages offered (the corpus cut to whole folios). */
  pages: number
  folios: number
  /** Pages the store calls accepted: held by zswap, or zero-mapped. */
  storedPages: number
  rejectedFolios: number
  /** Zero-filled pages the swap layer's zero map kept out of zswap (`swpout_zero`): they take 0 bytes. */
  zeroPages: number
  /** Pages zswap stored as-is, 4096 bytes each (`stored_incompressible_pages` with everything stored). */
  incompressiblePages: number
  /** Pages neither held nor zero-mapped (rejected; under pressure also written back): 4096 bytes each on disk. */
  diskPages: number
  /** Bytes charged for the pages held, with everything stored (compressed sizes; 4096 for a page stored as-is). */
  compressedBytes: number
  /** Uncompressed MB (10^6 bytes) per second of the store phase (offered pages). */
  storeMBps: number
  /** Uncompressed MB per second of the load phase (loaded pages). */
  loadMBps: number
  /** Per-folio store-call latency. */
  store: LatencySummary
  /** Per-folio load-call latency (per loadBatch call under pressure). */
  load: LatencySummary
  /** `[µs, fraction]` CDF of load latency. */
  loadCdf: [number, number][]
  /**
   * Every page offered ÷ what it took (see `workloadRatios`): compressed bytes, 0 for a
   * zero-mapped page, 4096 for a page stored as-is and for a disk page.
   */
  ratio: number
  /** The same with the pool's pages instead of compressed bytes (the allocator's overhead included). */
  effectiveRatio: number
  /** Pool pages with everything stored (at the end of the store phase). */
  poolPages: number
  /** Process CPU time of the run (all threads), ms. */
  cpuMs: number
  /** Peak RSS sampled during the run, bytes. */
  peakRssBytes: number
  /** Every zswap counter: gauges as they were with everything stored, cumulative counters at the end. */
  counters: Record<string, number>
  /** The accelerator's (or compressor's) own stats at the end, when it has any. */
  driverStats?: unknown
  /** The library the codec runs on, when its driver has several (lz4: `'liblz4'` or `'lz4-napi'`). */
  backend?: string
  integrity: Integrity
  pressure?: PressureResult
  /**
   * Only for a stack whose accelerator models time: store/load MB/s and
   * latency with the accelerator's time modeled (the cache's measured time +
   * the modeled device time). The report shows them as a row of their own.
   */
  modeled?: ModeledFigures
}
