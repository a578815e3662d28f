// Shared-memory layout of one emulated device, used by the submitter (main
// thread) and the engines (workers). Everything is Int32 so Atomics apply.
//
// ctl (Int32Array over one SharedArrayBuffer):
//   [0, HEADER)                      device registers (below)
//   [doorbellBase, +wqs)             one doorbell per WQ, bumped once per batch
//   [sleepersBase, +wqs)             engines asleep on each WQ's doorbell
//   [engineJobsBase, +engines)       jobs completed by each engine (its counter)
//   [descBase, +descs*DESC_FIELDS)   descriptors, DESC_FIELDS int32 each
//   [batchBase, +batchSlots)         completion records: (generation << 16) | bits of the jobs
//                                    still open. Clearing a bit is idempotent and checked against
//                                    the generation, so a late or repeated clear is harmless.
// staging (Uint8Array over a second SharedArrayBuffer): per descriptor a
// source slot and a destination slot of `slotBytes` each.
import type { CompressionMode } from './modes/mode-encoder.js'

/** Device registers. */
export const REG = {
  /** Non-zero: engines exit their loop. */
  SHUTDOWN: 0,
  /** Completion counter: +1 per finished batch (and per released orphan). The submitter sleeps on it. */
  COMPLETIONS: 1,
  /** Non-zero: engines stop claiming descriptors (fault: queues fill up). */
  PAUSED: 2,
  /** Fault: engine id that exits when it claims its next job at or after KILL_AT, -1 none. */
  KILL_ENGINE: 3,
  /** Fault: the job count (of that engine) at which it dies. */
  KILL_AT: 4,
  /** Fault: engine id whose jobs are delayed, -1 any. */
  DELAY_ENGINE: 5,
  /** Fault: delay in ms, -1 until lifted. */
  DELAY_MS: 6,
  /** Fault: number of jobs still to delay. */
  DELAY_COUNT: 7,
  /** Fault: number of compress jobs whose output is still to be corrupted (caught by verify). */
  BAD_OUTPUT_COUNT: 8,
  /** Generation of injected delays: engines sleep on it, and a bump (new delayJobs) wakes them. */
  SLEEP: 9,
  /** Non-zero while jobs wait for descriptors: engines then signal every completion, not just a batch's last. */
  WANT_SLOTS: 10,
  /** Fault: 0 = the engine dies right after claiming its job; 1 = after completing it, before counting it. */
  KILL_PHASE: 11,
  /** Fault: 0 = bad output flips a byte of the block; 1 = a well-formed block of a changed page. */
  BAD_OUTPUT_KIND: 12,
} as const

export const HEADER = 16

/** Descriptor fields, in int32 words. */
export const DESC = {
  STATE: 0,
  OP: 1,
  SRC_LEN: 2,
  DST_CAP: 3,
  BATCH: 4,
  /** Result written by the engine: bytes, or a negative {@link RESULT} code. */
  RESULT: 5,
  WQ: 6,
  /** Index of the job in its batch (its bit in the completion record). */
  INDEX: 7,
  /** Generation of the batch slot when the job was placed. */
  GEN: 8,
} as const
export const DESC_FIELDS = 10

/** Descriptor states. RUNNING, DONE_BY and ABANDONED carry the engine id in the low byte. */
export const STATE = {
  FREE: 0,
  SUBMITTED: 1,
  /** Taken back by the submitter before an engine claimed it. */
  CANCELLED: 3,
  /** An engine finished a descriptor the submitter had abandoned; the slot may be reused. */
  RELEASED: 4,
  RUNNING: 0x100,
  /** Taken over by the submitter while an engine was running it (timeout); slot still in use. */
  ABANDONED: 0x200,
  /** Completed by that engine; its result and output are in place. */
  DONE_BY: 0x300,
} as const

/** Most jobs per batch: one bit each in the low half of a completion record. */
export const MAX_BATCH = 16
const GEN_MASK = 0x7fff

/** The completion record of a batch of `count` jobs placed under generation `gen`. */
export function batchWord(gen: number, count: number): number {
  return ((gen & GEN_MASK) << 16) | ((1 << count) - 1)
}

/**
 * Clears job `index`'s bit if the record still belongs to generation `gen`.
 * @returns true when this call cleared the batch's last open bit.
 */
export function clearJobBit(ctl: Int32Array, at: number, gen: number, index: number): boolean {
  const bit = 1 << index
  for (;;) {
    const word = Atomics.load(ctl, at)
    if (word >>> 16 !== (gen & GEN_MASK) || (word & bit) === 0) return false
    if (Atomics.compareExchange(ctl, at, word, word & ~bit) === word) return (word & 0xffff) === bit
  }
}

export const OP = { COMPRESS: 1, DECOMPRESS: 2 } as const

/** Negative result codes written by engines. */
export const RESULT = {
  DOES_NOT_FIT: -1,
  CORRUPT: -2,
  FAILED: -3,
  VERIFY: -4,
} as const

export interface Layout {
  wqs: number
  engines: number
  descs: number
  batchSlots: number
  slotBytes: number
  doorbellBase: number
  sleepersBase: number
  engineJobsBase: number
  descBase: number
  batchBase: number
  ctlWords: number
}

export function layout(
  wqs: number,
  engines: number,
  descs: number,
  batchSlots: number,
  slotBytes: number,
): Layout {
  const doorbellBase = HEADER
  const sleepersBase = doorbellBase + wqs
  const engineJobsBase = sleepersBase + wqs
  const descBase = engineJobsBase + engines
  const batchBase = descBase + descs * DESC_FIELDS
  return {
    wqs,
    engines,
    descs,
    batchSlots,
    slotBytes,
    doorbellBase,
    sleepersBase,
    engineJobsBase,
    descBase,
    batchBase,
    ctlWords: batchBase + batchSlots,
  }
}

/** What a worker receives as workerData. */
export interface EngineData {
  id: number
  wq: number
  /** First descriptor of the WQ and how many it has. */
  wqFirst: number
  wqSize: number
  layout: Layout
  ctl: SharedArrayBuffer
  staging: SharedArrayBuffer
  algorithm: string
  compressionMode: CompressionMode
  level: number
  verify: boolean
  /** µs an idle engine polls its doorbell before sleeping on it. */
  spinUs: number
}
