import { InvalidArgumentError } from './errors.js'

/** Bytes in one page. */
export const PAGE_SIZE = 4096
/** log2(PAGE_SIZE). */
export const PAGE_SHIFT = 12
/** Largest folio order: 2^9 pages = 2 MiB, a PMD-size THP on x86-64. */
export const MAX_FOLIO_ORDER = 9
/** Largest swap type (the kernel has MAX_SWAPFILES = 32). */
export const MAX_SWAP_TYPES = 32
/** Largest swap offset + 1 (offsets are stored in 32-bit arrays). */
export const MAX_SWAP_OFFSET = 2 ** 31

/**
 * A swap slot: which swap area (`type`, 0..31) and the page offset in it.
 * A folio of 2^order pages occupies offsets `offset .. offset + 2^order - 1`.
 */
export interface SwapEntry {
  /** Swap area index, an integer in [0, MAX_SWAP_TYPES). */
  readonly type: number
  /** Page offset within the swap area, a non-negative integer. */
  readonly offset: number
}

/**
 * A folio handed to the cache: 2^order contiguous pages whose first page
 * goes to `swap`. `data` is exactly `(1 << order) * PAGE_SIZE` bytes; the
 * cache reads it on store and writes it on load.
 */
export interface Folio {
  /** Swap slot of the first page. */
  readonly swap: SwapEntry
  /** Folio order, an integer 0..MAX_FOLIO_ORDER (0 = one 4 KiB page). */
  readonly order: number
  /** The folio's bytes: `(1 << order) * PAGE_SIZE` of them. */
  readonly data: Uint8Array
  /** Name of the cgroup the folio is charged to; absent = the root cgroup. */
  readonly cgroup?: string
}

/** Number of pages in a folio of the given order. */
export function folioPages(order: number): number {
  return 1 << order
}

/** Builds a swap entry after validating it. */
export function swapEntry(type: number, offset: number): SwapEntry {
  assertSwapEntry({ type, offset })
  return { type, offset }
}

/**
 * Builds a folio, allocating `data` when it is not given.
 * @throws InvalidArgumentError when the order, entry or data size is wrong.
 */
export function createFolio(swap: SwapEntry, order = 0, data?: Uint8Array, cgroup?: string): Folio {
  const folio: Folio = {
    swap,
    order,
    data: data ?? new Uint8Array(folioPages(isOrder(order) ? order : 0) * PAGE_SIZE),
    ...(cgroup === undefined ? {} : { cgroup }),
  }
  assertFolio(folio)
  return folio
}

function isOrder(order: unknown): order is number {
  return Number.isInteger(order) && (order as number) >= 0 && (order as number) <= MAX_FOLIO_ORDER
}

/** @throws InvalidArgumentError unless `swap` is a valid swap entry. */
export function assertSwapEntry(swap: unknown, what = 'swap entry'): asserts swap is SwapEntry {
  if (typeof swap !== 'object' || swap === null) {
    throw new InvalidArgumentError(`[@zswap/core] ${what} must be an object { type, offset }`)
  }
  const { type, offset } = swap as SwapEntry
  checkSwapFields(type, offset, what)
}

function checkSwapFields(type: unknown, offset: unknown, what: string): void {
  if (!Number.isInteger(type) || (type as number) < 0 || (type as number) >= MAX_SWAP_TYPES) {
    throw new InvalidArgumentError(
      `[@zswap/core] ${what}.type must be an integer in [0, ${MAX_SWAP_TYPES}), got ${String(type)}`,
    )
  }
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) >= MAX_SWAP_OFFSET) {
    throw new InvalidArgumentError(
      `[@zswap/core] ${what}.offset must be an integer in [0, 2^31), got ${String(offset)}`,
    )
  }
}

/** The fields of a folio, each read once (see {@link readFolio}). */
export interface FolioFields {
  type: number
  offset: number
  order: number
  data: Uint8Array
  cgroup: string | undefined
}

const scratch: FolioFields = { type: 0, offset: 0, order: 0, data: new Uint8Array(0), cgroup: undefined }

/**
 * @throws InvalidArgumentError unless `folio` has a valid swap entry, an
 * order in 0..9, a Uint8Array of exactly 2^order pages, and a folio that
 * does not run past the largest offset. Each field is read once.
 */
export function assertFolio(folio: unknown): asserts folio is Folio {
  readFolio(folio, scratch)
  scratch.data = new Uint8Array(0)
}

/**
 * Reads each field of `folio` once into `out` and validates the copies: a
 * caller that then uses only `out` cannot be fooled by a getter that answers
 * differently after the check.
 * @throws InvalidArgumentError, and leaves `out` partly written.
 */
export function readFolio(folio: unknown, out: FolioFields): void {
  if (typeof folio !== 'object' || folio === null) {
    throw new InvalidArgumentError('[@zswap/core] folio must be an object { swap, order, data }')
  }
  const f = folio as Folio
  const swap = f.swap
  if (typeof swap !== 'object' || swap === null) {
    throw new InvalidArgumentError('[@zswap/core] folio.swap must be an object { type, offset }')
  }
  const type = swap.type
  const offset = swap.offset
  const order = f.order
  const data = f.data
  const cgroup = f.cgroup
  assertFolioFields(type, offset, order, data, cgroup)
  out.type = type
  out.offset = offset
  out.order = order
  out.data = data
  out.cgroup = cgroup
}

/**
 * The checks of {@link assertFolio} on field values the caller has already
 * read (once): a cache that copies a folio's fields into locals validates the
 * copies, so a getter that answers differently later cannot slip past.
 * @throws InvalidArgumentError
 */
export function assertFolioFields(
  type: unknown,
  offset: unknown,
  order: unknown,
  data: unknown,
  cgroup: unknown,
): void {
  checkSwapFields(type, offset, 'folio.swap')
  if (!isOrder(order)) {
    throw new InvalidArgumentError(
      `[@zswap/core] folio.order must be an integer in [0, ${MAX_FOLIO_ORDER}], got ${String(order)}`,
    )
  }
  if (!(data instanceof Uint8Array)) {
    throw new InvalidArgumentError('[@zswap/core] folio.data must be a Uint8Array')
  }
  const expected = folioPages(order) * PAGE_SIZE
  if (data.length !== expected) {
    throw new InvalidArgumentError(
      `[@zswap/core] folio.data must be ${expected} bytes for order ${order}, got ${data.length}`,
    )
  }
  if ((offset as number) + folioPages(order) > MAX_SWAP_OFFSET) {
    throw new InvalidArgumentError('[@zswap/core] folio runs past the largest swap offset')
  }
  if (cgroup !== undefined && typeof cgroup !== 'string') {
    throw new InvalidArgumentError('[@zswap/core] folio.cgroup must be a string when given')
  }
}
