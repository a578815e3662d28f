import { type FolioFields, InvalidArgumentError, readFolio } from '@zswap/core'
import type { Cgroup, Cgroups } from './cgroups.js'

/** Folio states during an operation. */
export const PENDING = 0
export const FAILED = 1
/** Stored, or loaded. */
export const DONE = 2

/**
 * The folios of one store or load, struct-of-arrays. Each folio's fields are
 * read once, validated, and copied here; the operation uses only the copies,
 * so a folio whose getters answer differently later (an `order` that grows
 * after the check) cannot make the cache store pages it never validated.
 */
export class FolioBatch {
  length = 0
  readonly type: Uint8Array
  readonly offset: Uint32Array
  readonly order: Uint8Array
  readonly data: Uint8Array[]
  /** Charged cgroup per folio (stores only). */
  readonly cgroup: Cgroup[]
  /** PENDING, FAILED or DONE per folio. */
  readonly state: Uint8Array

  constructor(capacity: number) {
    this.type = new Uint8Array(capacity)
    this.offset = new Uint32Array(capacity)
    this.order = new Uint8Array(capacity)
    this.data = new Array<Uint8Array>(capacity)
    this.cgroup = new Array<Cgroup>(capacity)
    this.state = new Uint8Array(capacity)
  }

  /** Pages of folio `f`. */
  pages(f: number): number {
    return 1 << this.order[f]
  }

  /** Drops the references to the caller's buffers (a reused batch must not keep them alive). */
  clear(): void {
    for (let f = 0; f < this.length; f++) {
      this.data[f] = undefined as never
      this.cgroup[f] = undefined as never
    }
    this.length = 0
  }
}

/** Copies a folio's checked fields and its cgroup into slot `f` of `batch`. */
export function putFolio(
  batch: FolioBatch,
  f: number,
  type: number,
  offset: number,
  order: number,
  data: Uint8Array,
  cgroup: Cgroup,
): void {
  batch.type[f] = type
  batch.offset[f] = offset
  batch.order[f] = order
  batch.data[f] = data
  batch.cgroup[f] = cgroup
  batch.state[f] = PENDING
}

/**
 * Reads and validates an array of folios into a new batch.
 * @throws InvalidArgumentError (also for overlapping folios), UnknownCgroupError
 */
export function readFolios(folios: unknown, cgroups: Cgroups, what: string): FolioBatch {
  if (!Array.isArray(folios))
    throw new InvalidArgumentError(`[@zswap/cache] ${what}: folios must be an array`)
  const n = folios.length
  const batch = new FolioBatch(n)
  const fields: FolioFields = { type: 0, offset: 0, order: 0, data: undefined as never, cgroup: undefined }
  for (let f = 0; f < n; f++) {
    readFolio(folios[f], fields)
    putFolio(batch, f, fields.type, fields.offset, fields.order, fields.data, cgroups.get(fields.cgroup))
  }
  batch.length = n
  if (n > 1) assertNoOverlap(batch, what)
  return batch
}

function assertNoOverlap(b: FolioBatch, what: string): void {
  const order = Array.from({ length: b.length }, (_, i) => i)
  order.sort((x, y) => b.type[x] - b.type[y] || b.offset[x] - b.offset[y])
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1]
    const next = order[k]
    if (b.type[prev] === b.type[next] && b.offset[prev] + b.pages(prev) > b.offset[next]) {
      throw new InvalidArgumentError(
        `[@zswap/cache] ${what}: folios at offsets ${b.offset[prev]} and ${b.offset[next]} overlap`,
      )
    }
  }
}

/**
 * True when (type, offset) lies in a folio of `batch` still being stored
 * (PENDING): a folio already stored or rejected is settled, as after its own
 * `store` call.
 */
export function batchCovers(batch: FolioBatch | undefined, type: number, offset: number): boolean {
  if (batch === undefined) return false
  for (let f = 0; f < batch.length; f++) {
    const start = batch.offset[f]
    if (
      batch.state[f] === PENDING &&
      batch.type[f] === type &&
      offset >= start &&
      offset < start + batch.pages(f)
    )
      return true
  }
  return false
}
