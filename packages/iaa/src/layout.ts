// Shared-memory layout of one emulated device, used by the submitter (main
// thread) and the engines (workers). Everything is Int32 so Atomics apply.
//
// ctl (Int32Array over one SharedArrayBuffer):
//   [0, HEADER)                      device registers (below)
//   [doorbellBase, +wqs)             one doorbell per WQ, bumped once per batch
//   [sleepersBase, +wqs)             engines asleep on each WQ's doorbell
//   [engineJobsBase, +engines)       jobs completed by each engine (its counter)
//   [descBase, +descs*DESC_FIELDS)   descriptors, DESC_FIELDS int32 each
//   [remainingBase, +batchSlots)     completion records: jobs left per batch
// staging (Uint8Array over a second SharedArrayBuffer): per descriptor a
// source slot and a destination slot of `slotBytes` each.

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
  /** Fault: delay in ms. */
  DELAY_MS: 6,
  /** Fault: number of jobs still to delay. */
  DELAY_COUNT: 7,
  /** Fault: number of compress jobs whose output is still to be corrupted (caught by verify). */
  BAD_OUTPUT_COUNT: 8,
  /** Scratch word engines sleep on for injected delays. */
  SLEEP: 9,
  /** Non-zero while jobs wait for descriptors: engines then signal every completion, not just a batch's last. */
  WANT_SLOTS: 10,
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
} as const
export const DESC_FIELDS = 8

/** Descriptor states. RUNNING and ABANDONED carry the engine id in the low byte. */
export const STATE = {
  FREE: 0,
  SUBMITTED: 1,
  DONE: 2,
  /** Taken back by the submitter before an engine claimed it. */
  CANCELLED: 3,
  /** An engine finished a descriptor the submitter had abandoned; the slot may be reused. */
  RELEASED: 4,
  RUNNING: 0x100,
  /** Taken over by the submitter while an engine was running it (timeout); slot still in use. */
  ABANDONED: 0x200,
} as const

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
  remainingBase: number
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
  const remainingBase = descBase + descs * DESC_FIELDS
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
    remainingBase,
    ctlWords: remainingBase + batchSlots,
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
  level: number
  verify: boolean
  /** µs an idle engine polls its doorbell before sleeping on it. */
  spinUs: number
}
