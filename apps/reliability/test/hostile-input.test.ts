import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { crc32 } from 'node:zlib'
import { type ByNAccelerator, byN } from '@zswap/by-n'
import { createZswap, fileSwapDevice, memorySwapDevice, ROOT_CGROUP, type Zswap } from '@zswap/cache'
import { samplePages } from '@zswap/conformance'
import {
  type Accelerator,
  type Compressor,
  type DecompressJob,
  type Folio,
  PAGE_SIZE,
  ZswapError,
} from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { type IaaDevice, iaa } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { z3fold } from '@zswap/z3fold'
import { zbud } from '@zswap/zbud'
import { zsmalloc } from '@zswap/zsmalloc'
import { zstd } from '@zswap/zstd'
import { afterAll, describe, expect, it } from 'vitest'
import { Prng } from '../src/prng.js'

/**
 * The hostile-input table (issue 12): each row is one kind of bad input to the
 * public API, a driver's options or decompress path, or the harness CLI. Every
 * row must be answered by a typed error with the stable code given (or exit 2
 * and a clear message), and a cache that held pages before the bad call must
 * hold exactly the same pages, bytes and counters after it.
 *
 * Rows with `guards` failed on the cache as of issue 10 (the item named) and
 * pass since its fixes: they stay as regression guards for that item.
 */

type Code =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_OPTION'
  | 'ERR_UNKNOWN_CGROUP'
  | 'ERR_CLOSED'
  | 'ERR_CORRUPT_DATA'
  | 'ERR_UNSUPPORTED_SPECIFICATION'
  | 'EXIT_2'

interface Ctx {
  cache: Zswap
}

interface Row {
  readonly name: string
  readonly code: Code
  readonly run: (ctx: Ctx) => unknown
  /** Issue 10 item this row failed on before its fix (it guards that fix now). */
  readonly guards?: string
  /** The row closes the cache: its contents cannot be checked afterwards. */
  readonly closes?: boolean
  /** For a CLI row: text stderr must contain. */
  readonly stderr?: RegExp
  /** Text the error's message must contain (the check the row aims at, not an earlier one). */
  readonly message?: RegExp
  /** Extra check after the bad call (on a cache still open). */
  readonly after?: (ctx: Ctx) => void
  /** Success is a valid answer too (the input is odd, not wrong); `after` says what must hold. */
  readonly either?: boolean
}

// ---- the cache fixture: pages stored first, compared after every bad call ----

const STORED_SINGLES = [0, 1, 2, 3, 5, 8, 13, 21]
const STORED_FOLIO = { offset: 32, order: 3 }

function stampedPage(i: number): Uint8Array {
  const sample = samplePages().filter((p) => p.kind === 'text' || p.kind === 'binary')
  const page = new Uint8Array(sample[i % sample.length].data)
  page[0] ^= i + 1
  page[100] ^= 0x5a
  return page
}

async function fixture(): Promise<{ ctx: Ctx; expected: Map<number, Uint8Array>; snapshot: string }> {
  const cache = createZswap({
    compressor: lz4(),
    zpool: zsmalloc(),
    ramBytes: 2 ** 30,
    mthpEnabled: true,
    swapDevice: memorySwapDevice({ pages: 4096 }),
  })
  cache.createCgroup('limited', { zswapMax: 1_000_000 })
  const expected = new Map<number, Uint8Array>()
  for (const offset of STORED_SINGLES) {
    const data = stampedPage(offset)
    expect(await cache.store({ swap: { type: 0, offset }, order: 0, data })).toBe(true)
    expected.set(offset, data)
  }
  const pages = 1 << STORED_FOLIO.order
  const data = new Uint8Array(pages * PAGE_SIZE)
  for (let i = 0; i < pages; i++) {
    const page = stampedPage(100 + i)
    data.set(page, i * PAGE_SIZE)
    expected.set(STORED_FOLIO.offset + i, page)
  }
  expect(
    await cache.store({
      swap: { type: 0, offset: STORED_FOLIO.offset },
      order: STORED_FOLIO.order,
      data,
      cgroup: 'limited',
    }),
  ).toBe(true)
  return { ctx: { cache }, expected, snapshot: snapshot(cache) }
}

function snapshot(cache: Zswap): string {
  return JSON.stringify({ stats: cache.stats(), params: cache.params, storedPages: cache.storedPages })
}

/** The cache holds exactly what it held before: counters, parameters, and every page's bytes. */
async function expectUnchanged(
  cache: Zswap,
  expected: Map<number, Uint8Array>,
  before: string | undefined,
): Promise<void> {
  if (before !== undefined) expect(snapshot(cache)).toBe(before)
  for (let offset = 0; offset < 2048; offset++) {
    expect(cache.has({ type: 0, offset }), `page ${offset}`).toBe(expected.has(offset))
  }
  const dst = new Uint8Array(PAGE_SIZE)
  for (const [offset, page] of expected) {
    expect(await cache.load({ swap: { type: 0, offset }, order: 0, data: dst }), `load ${offset}`).toBe(true)
    expect(Buffer.from(dst).equals(page), `bytes of page ${offset}`).toBe(true)
  }
}

// ---- inputs ------------------------------------------------------------------

const page = () => new Uint8Array(PAGE_SIZE)
const folio = (offset: number, order = 0, data?: Uint8Array): Folio => ({
  swap: { type: 0, offset },
  order,
  data: data ?? new Uint8Array(PAGE_SIZE << order),
})
const good = () => ({ compressor: lz4(), zpool: zbud() })

/** A folio whose `order` reads 0 for the first `reads` reads and 9 afterwards (issue 10 item 4). */
function shiftingOrderFolio(offset: number, reads: number): Folio {
  let n = 0
  const data = stampedPage(7)
  return {
    swap: { type: 0, offset },
    data,
    get order() {
      return n++ < reads ? 0 : 9
    },
  }
}

/** A folio whose `data` is one page for the first `reads` reads and 2 MiB afterwards (issue 10 item 4). */
function shiftingDataFolio(offset: number, reads: number): Folio {
  let n = 0
  const small = stampedPage(9)
  const big = new Uint8Array(512 * PAGE_SIZE).fill(1)
  return {
    swap: { type: 0, offset },
    order: 0,
    get data() {
      return n++ < reads ? small : big
    },
  }
}

/**
 * A folio whose fields change between reads is either refused with a typed
 * error or stored as it was first read (one page): never more. Rows of kind
 * `either` accept both outcomes and check that no other offset was touched.
 */
function shiftingRows(): Row[] {
  const rows: Row[] = []
  for (const reads of [1, 2, 3, 4]) {
    for (const field of ['order', 'data'] as const) {
      rows.push({
        name: `store: ${field} getter changes after ${reads} read${reads > 1 ? 's' : ''}: at most one page stored`,
        code: 'ERR_INVALID_ARGUMENT',
        either: true,
        // before the fix an order getter that changed after validation's reads (2 or more) stored up to 512 pages
        guards: field === 'order' && reads >= 2 ? 'issue 10 item 4' : undefined,
        run: ({ cache }) =>
          cache.store(field === 'order' ? shiftingOrderFolio(1024, reads) : shiftingDataFolio(1024, reads)),
        after: ({ cache }) => {
          for (let o = 1025; o < 1024 + 512; o++)
            expect(cache.has({ type: 0, offset: o }), `page ${o}`).toBe(false)
          cache.invalidate({ type: 0, offset: 1024 })
        },
      })
    }
  }
  return rows
}

function noCapabilities(): Compressor {
  const c = lz4()
  return {
    specificationVersion: c.specificationVersion,
    name: 'no-caps',
    compress: c.compress.bind(c),
    decompress: c.decompress.bind(c),
  } as unknown as Compressor
}

function hugeBatchAccelerator(maxBatch: number): Accelerator {
  return {
    specificationVersion: 'v1',
    name: 'huge',
    capabilities: { maxBatch, format: 'lz4-block' },
    compressBatch: async () => {},
    decompressBatch: async () => {},
    close: async () => {},
  }
}

/** Not-a-page-sized inputs each codec must reject with CorruptDataError. */
function compressed(c: Compressor, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(src.length * 2 + 64)
  const n = c.compress(src, dst)
  expect(n).toBeGreaterThan(0)
  return dst.subarray(0, n)
}

const GARBAGE = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff)

function codecRows(name: string, make: () => Compressor): Row[] {
  const text = stampedPage(3)
  return [
    {
      name: `${name}: truncated block (half of a valid one)`,
      code: 'ERR_CORRUPT_DATA',
      run: () => {
        const c = make()
        const block = compressed(c, text)
        return c.decompress(block.subarray(0, block.length >> 1), page())
      },
    },
    {
      name: `${name}: garbage bytes`,
      code: 'ERR_CORRUPT_DATA',
      run: () => make().decompress(GARBAGE, page()),
    },
    {
      name: `${name}: empty block`,
      code: 'ERR_CORRUPT_DATA',
      run: () => make().decompress(new Uint8Array(0), page()),
    },
    {
      name: `${name}: a block of 2 pages decompressed into one page (oversize claim)`,
      code: 'ERR_CORRUPT_DATA',
      run: () => {
        const c = make()
        const two = new Uint8Array(2 * PAGE_SIZE)
        two.set(text)
        two.set(text, PAGE_SIZE)
        return c.decompress(compressed(c, two), page())
      },
    },
    {
      name: `${name}: a valid page block into a 1 KiB buffer`,
      code: 'ERR_CORRUPT_DATA',
      run: () => {
        const c = make()
        return c.decompress(compressed(c, text), new Uint8Array(1024))
      },
    },
  ]
}

let device: IaaDevice | undefined
const iaaDevice = () => {
  device ??= iaa({ engines: 1 })
  return device
}
afterAll(async () => {
  await device?.close()
})

async function iaaDecompress(src: Uint8Array, dst = page()): Promise<number> {
  const job: DecompressJob = { src, dst, length: 0, error: undefined }
  await iaaDevice().decompressBatch([job], 1)
  if (job.error !== undefined) throw job.error
  return job.length
}

async function iaaCompress(src: Uint8Array): Promise<Uint8Array> {
  const dst = new Uint8Array(2 * PAGE_SIZE)
  const job = { src, dst, length: 0, error: undefined }
  await iaaDevice().compressBatch([job], 1)
  if (job.error !== undefined) throw job.error
  return dst.subarray(0, job.length)
}

// ---- by_n objects (format v1: n, version, flags, magic, size, chunk words, chunks, CRC-32) ----

let byNDevice: ByNAccelerator | undefined
const byNDev = () => {
  byNDevice ??= byN(lz4(), { n: 4 })
  return byNDevice
}
afterAll(async () => {
  await byNDevice?.close()
})

async function byNDecompress(src: Uint8Array, dst = page(), start?: number): Promise<number> {
  const job: DecompressJob =
    start === undefined
      ? { src, dst, length: 0, error: undefined }
      : { src, dst, start, length: 0, error: undefined }
  await byNDev().decompressBatch([job], 1)
  if (job.error !== undefined) throw job.error
  return job.length
}

/** A valid by_n object of one page: 4 chunks of 1 KiB; with `rawFirst`, chunk 0 is random (stored raw). */
async function byNObject(rawFirst = false): Promise<Uint8Array> {
  const src = stampedPage(6)
  if (rawFirst) {
    const prng = new Prng(6)
    for (let i = 0; i < 1024; i++) src[i] = prng.int(256)
  }
  const job = { src, dst: new Uint8Array(2 * PAGE_SIZE), length: 0, error: undefined }
  await byNDev().compressBatch([job], 1)
  expect(job.error).toBeUndefined()
  expect(job.length).toBeGreaterThan(0)
  return job.dst.slice(0, job.length)
}

const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true)
const setU32 = (b: Uint8Array, o: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(o, v, true)

/** Rewrites the CRC-32 trailer, so the row reaches the header check it aims at. */
function reseal(b: Uint8Array): Uint8Array {
  setU32(b, b.length - 4, crc32(b.subarray(0, b.length - 4)) >>> 0)
  return b
}

/** A by_n object changed by `edit` (then resealed), decompressed whole into a page. */
function byNRow(name: string, message: RegExp, edit: (b: Uint8Array) => void, rawFirst = false): Row {
  return {
    name: `by_n: ${name}`,
    code: 'ERR_CORRUPT_DATA',
    message,
    run: async () => {
      const b = await byNObject(rawFirst)
      edit(b)
      return byNDecompress(reseal(b))
    },
  }
}

function byNRows(): Row[] {
  return [
    {
      name: 'by_n: 7 bytes (no header)',
      code: 'ERR_CORRUPT_DATA',
      message: /truncated/,
      run: async () => byNDecompress((await byNObject()).subarray(0, 7)),
    },
    byNRow('another magic byte', /not a by_n object/, (b) => {
      b[3] = 0
    }),
    byNRow('format version 2', /unknown format version 2/, (b) => {
      b[1] = 2
    }),
    byNRow('an unknown flag bit', /unknown flags/, (b) => {
      b[2] |= 0x80
    }),
    byNRow('n = 3 (not a power of two)', /n = 3/, (b) => {
      b[0] = 3
    }),
    byNRow('n = 128 (above 64)', /n = 128/, (b) => {
      b[0] = 128
    }),
    {
      name: 'by_n: one bit flipped in a chunk (CRC-32 mismatch)',
      code: 'ERR_CORRUPT_DATA',
      message: /checksum mismatch/,
      run: async () => {
        const b = await byNObject()
        b[30] ^= 0x10
        return byNDecompress(b)
      },
    },
    {
      name: 'by_n: truncated object (half of a valid one)',
      code: 'ERR_CORRUPT_DATA',
      run: async () => {
        const b = await byNObject()
        return byNDecompress(b.subarray(0, b.length >> 1))
      },
    },
    byNRow('size 0', /size 0 is outside/, (b) => setU32(b, 4, 0)),
    byNRow('size above maxInputSize (1 MiB)', /size 1048576 is outside/, (b) => setU32(b, 4, 1 << 20)),
    byNRow('chunk 0 not right after the header', /chunk 0 starts at/, (b) => setU32(b, 8, u32(b, 8) + 1)),
    byNRow('a chunk offset past the end', /past the end/, (b) => setU32(b, 8 + 4 * 3, 0x7fff0000)),
    byNRow('chunk offsets out of order', /chunk 1 ends at .* before it starts/, (b) =>
      setU32(b, 16, u32(b, 12) - 1),
    ),
    byNRow(
      'a raw chunk one byte short',
      /raw chunk 0 holds 1023 bytes/,
      (b) => {
        expect(u32(b, 8) >>> 31, 'chunk 0 is raw').toBe(1)
        setU32(b, 12, u32(b, 12) - 1)
      },
      true,
    ),
    {
      name: 'by_n: a page object into a 1 KiB buffer (no start)',
      code: 'ERR_CORRUPT_DATA',
      message: /does not fit/,
      run: async () => byNDecompress(await byNObject(), new Uint8Array(1024)),
    },
    {
      name: 'by_n: start past the object (4096)',
      code: 'ERR_INVALID_ARGUMENT',
      message: /start must be an integer/,
      run: async () => byNDecompress(await byNObject(), new Uint8Array(1024), PAGE_SIZE),
    },
    {
      name: 'by_n: start 1.5',
      code: 'ERR_INVALID_ARGUMENT',
      message: /start must be an integer/,
      run: async () => byNDecompress(await byNObject(), new Uint8Array(1024), 1.5),
    },
  ]
}

const require = createRequire(import.meta.url)
const CLI = join(dirname(require.resolve('zswap-harness/package.json')), 'dist', 'cli.js')

function cli(args: string[], stderr: RegExp, guards?: string): Row {
  return {
    name: `CLI: zswap-harness ${args.map((a) => (a === '' ? "''" : a)).join(' ')}`,
    code: 'EXIT_2',
    stderr,
    guards,
    run: () => {
      const r = spawnSync(process.execPath, [CLI, ...args, '--runs', '1', '--warmup', '0'], {
        encoding: 'utf8',
        timeout: 60_000,
        maxBuffer: 1 << 20,
      })
      return r
    },
  }
}

const ROWS: Row[] = [
  // ---- createZswap options ----
  { name: 'createZswap(undefined)', code: 'ERR_INVALID_OPTION', run: () => createZswap(undefined as never) },
  { name: 'createZswap(null)', code: 'ERR_INVALID_OPTION', run: () => createZswap(null as never) },
  { name: 'createZswap(42)', code: 'ERR_INVALID_OPTION', run: () => createZswap(42 as never) },
  {
    name: 'createZswap: compressor and accelerator both given',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), accelerator: hugeBatchAccelerator(1) }),
  },
  {
    name: 'createZswap: no compressor',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ zpool: zbud() }),
  },
  {
    name: 'createZswap: no zpool',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ compressor: lz4() } as never),
  },
  {
    name: 'createZswap: zpool of an unknown specification version',
    code: 'ERR_UNSUPPORTED_SPECIFICATION',
    run: () => createZswap({ compressor: lz4(), zpool: { ...zbud(), specificationVersion: 'v9' } as never }),
  },
  {
    name: 'createZswap: ramBytes -1',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), ramBytes: -1 }),
  },
  {
    name: 'createZswap: ramBytes NaN',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), ramBytes: Number.NaN }),
  },
  {
    name: "createZswap: ramBytes '8G'",
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), ramBytes: '8G' as never }),
  },
  {
    name: 'createZswap: ramBytes 100 (< a page)',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), ramBytes: 100 }),
  },
  {
    name: 'createZswap: maxPoolPercent 101',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), maxPoolPercent: 101 }),
  },
  {
    name: 'createZswap: maxPoolPercent -1',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), maxPoolPercent: -1 }),
  },
  {
    name: "createZswap: maxPoolPercent '20'",
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), maxPoolPercent: '20' as never }),
  },
  {
    name: 'createZswap: acceptThresholdPercent NaN',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), acceptThresholdPercent: Number.NaN }),
  },
  {
    name: "createZswap: enabled 'yes'",
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), enabled: 'yes' as never }),
  },
  {
    name: 'createZswap: mthpEnabled 1',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ ...good(), mthpEnabled: 1 as never }),
  },
  {
    name: 'createZswap: swapDevice without a specification version',
    code: 'ERR_UNSUPPORTED_SPECIFICATION',
    run: () => createZswap({ ...good(), swapDevice: {} as never }),
  },
  {
    name: 'createZswap: misspelt option maxpoolPercent',
    code: 'ERR_INVALID_OPTION',
    guards: 'issue 10 item 5',
    run: () => createZswap({ ...good(), maxpoolPercent: 10 } as never),
  },
  {
    name: 'createZswap: a compressor without capabilities',
    code: 'ERR_INVALID_OPTION',
    guards: 'issue 10 item 5',
    run: () => createZswap({ compressor: noCapabilities(), zpool: zbud() }),
  },
  {
    name: 'createZswap: an accelerator with maxBatch 1e9',
    code: 'ERR_INVALID_OPTION',
    guards: 'issue 10 item 5',
    run: () => createZswap({ accelerator: hugeBatchAccelerator(1e9), zpool: zbud() }),
  },
  {
    name: 'createZswap: an accelerator with maxBatch 0',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap({ accelerator: hugeBatchAccelerator(0), zpool: zbud() }),
  },
  {
    name: 'createZswap: a compressor of specification v2',
    code: 'ERR_UNSUPPORTED_SPECIFICATION',
    run: () =>
      createZswap({
        compressor: { ...noCapabilities(), specificationVersion: 'v2' } as never,
        zpool: zbud(),
      }),
  },

  {
    name: 'createZswap([]) (an array, not an options object)',
    code: 'ERR_INVALID_OPTION',
    run: () => createZswap([] as never),
  },
  {
    name: 'createZswap: misspelt option swapdevice (the message lists the valid keys)',
    code: 'ERR_INVALID_OPTION',
    message: /valid keys: .*swapDevice/,
    run: () => createZswap({ ...good(), swapdevice: memorySwapDevice({ pages: 4 }) } as never),
  },
  {
    name: 'createZswap: swapDevice array with one element not a device',
    code: 'ERR_UNSUPPORTED_SPECIFICATION',
    run: () => createZswap({ ...good(), swapDevice: [memorySwapDevice({ pages: 4 }), {} as never] }),
  },

  // ---- store / storeBatch ----
  {
    name: 'store(undefined)',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(undefined as never),
  },
  { name: 'store(null)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.store(null as never) },
  { name: 'store({})', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.store({} as never) },
  {
    name: 'store: order -1',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), order: -1 }),
  },
  {
    name: 'store: order 10',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), order: 10 }),
  },
  {
    name: 'store: order 1.5',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), order: 1.5 }),
  },
  {
    name: "store: order '0'",
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), order: '0' as never }),
  },
  {
    name: 'store: data of 4095 bytes',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(folio(0, 0, new Uint8Array(4095))),
  },
  {
    name: 'store: data an Array',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) =>
      cache.store({ ...folio(0), data: Array.from({ length: PAGE_SIZE }, () => 0) as never }),
  },
  {
    name: 'store: data a Uint16Array of a page',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), data: new Uint16Array(PAGE_SIZE / 2) as never }),
  },
  {
    name: 'store: data of order 1 for an order-0 folio',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(folio(1, 0, new Uint8Array(2 * PAGE_SIZE))),
  },
  {
    name: 'store: swap.type 32',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), swap: { type: 32, offset: 0 } }),
  },
  {
    name: 'store: swap.type -1',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), swap: { type: -1, offset: 0 } }),
  },
  { name: 'store: swap.offset -1', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.store(folio(-1)) },
  {
    name: 'store: swap.offset 2^31',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(folio(2 ** 31)),
  },
  {
    name: 'store: swap.offset 1.5',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(folio(1.5)),
  },
  {
    name: 'store: an order-9 folio running past the last offset',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store(folio(2 ** 31 - 256, 9)),
  },
  {
    name: 'store: swap missing',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ order: 0, data: page() } as never),
  },
  {
    name: 'store: an unknown cgroup',
    code: 'ERR_UNKNOWN_CGROUP',
    run: ({ cache }) => cache.store({ ...folio(0), cgroup: 'nope' }),
  },
  {
    name: 'store: cgroup 42 (not a string)',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.store({ ...folio(0), cgroup: 42 as never }),
  },
  ...shiftingRows(),
  {
    name: "storeBatch('x')",
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.storeBatch('x' as never),
  },
  {
    name: 'storeBatch([valid, null]) stores neither',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.storeBatch([folio(600), null as never]),
  },
  {
    name: 'storeBatch: overlapping folios',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.storeBatch([folio(600, 2), folio(602)]),
  },
  {
    name: 'storeBatch([valid, order 12]) stores neither',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.storeBatch([folio(700), { ...folio(701), order: 12 }]),
  },

  // ---- load / loadBatch ----
  { name: 'load(null)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.load(null as never) },
  {
    name: 'load: order 10 at a stored offset',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.load({ ...folio(0), order: 10 }),
  },
  {
    name: 'load: data of 100 bytes at a stored offset',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.load(folio(0, 0, new Uint8Array(100))),
  },
  {
    name: 'load: swap.offset NaN',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.load(folio(Number.NaN)),
  },
  {
    name: 'loadBatch(null)',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.loadBatch(null as never),
  },
  {
    name: 'loadBatch: overlapping folios over stored pages',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.loadBatch([folio(32, 3), folio(33)]),
  },
  {
    name: 'loadBatch([stored, invalid]) loads neither',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.loadBatch([folio(0), { ...folio(1), swap: { type: 99, offset: 1 } }]),
  },

  // ---- invalidate / invalidateRange / has ----
  {
    name: 'invalidate(null)',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidate(null as never),
  },
  {
    name: 'invalidate: offset -1',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidate({ type: 0, offset: -1 }),
  },
  {
    name: 'invalidate: type 40',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidate({ type: 40, offset: 0 }),
  },
  {
    name: "invalidate: offset '0'",
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidate({ type: 0, offset: '0' as never }),
  },
  {
    name: 'invalidateRange: nrPages -1',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidateRange({ type: 0, offset: 0 }, -1),
  },
  {
    name: 'invalidateRange: nrPages 1.5',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidateRange({ type: 0, offset: 0 }, 1.5),
  },
  {
    name: 'invalidateRange: nrPages NaN',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidateRange({ type: 0, offset: 0 }, Number.NaN),
  },
  {
    name: 'invalidateRange: past the last offset',
    code: 'ERR_INVALID_ARGUMENT',
    run: ({ cache }) => cache.invalidateRange({ type: 0, offset: 2 ** 31 - 1 }, 2),
  },
  { name: 'has(undefined)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.has(undefined as never) },

  // ---- shrink ----
  { name: 'shrink(-1)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.shrink(-1) },
  { name: 'shrink(1.5)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.shrink(1.5) },
  { name: "shrink('3')", code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.shrink('3' as never) },
  { name: 'shrink(NaN)', code: 'ERR_INVALID_ARGUMENT', run: ({ cache }) => cache.shrink(Number.NaN) },

  // ---- setParams ----
  {
    name: 'setParams(null)',
    code: 'ERR_INVALID_OPTION',
    guards: 'issue 10 item 5',
    run: ({ cache }) => cache.setParams(null as never),
  },
  {
    name: 'setParams: maxPoolPercent 200',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setParams({ maxPoolPercent: 200 }),
  },
  {
    name: "setParams: enabled 'no'",
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setParams({ enabled: 'no' as never }),
  },
  {
    name: 'setParams: a good maxPoolPercent with a bad enabled changes neither',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setParams({ maxPoolPercent: 50, enabled: 'no' as never }),
  },
  {
    name: 'setParams: misspelt key maxpoolPercent',
    code: 'ERR_INVALID_OPTION',
    guards: 'issue 10 item 5',
    run: ({ cache }) => cache.setParams({ maxpoolPercent: 10 } as never),
  },
  {
    name: 'setParams([])',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setParams([] as never),
  },
  {
    name: 'setParams: a good maxPoolPercent with a misspelt enabledd changes neither',
    code: 'ERR_INVALID_OPTION',
    message: /valid keys/,
    run: ({ cache }) => cache.setParams({ maxPoolPercent: 50, enabledd: false } as never),
  },
  {
    name: 'setParams: acceptThresholdPercent -5',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setParams({ acceptThresholdPercent: -5 }),
  },

  // ---- cgroups and compressors ----
  { name: "setCgroup('nope')", code: 'ERR_UNKNOWN_CGROUP', run: ({ cache }) => cache.setCgroup('nope', {}) },
  {
    name: 'setCgroup: zswapMax -1',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setCgroup(ROOT_CGROUP, { zswapMax: -1 }),
  },
  {
    name: 'setCgroup: zswapMax NaN',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setCgroup('limited', { zswapMax: Number.NaN }),
  },
  {
    name: "setCgroup: writeback 'off'",
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setCgroup('limited', { writeback: 'off' as never }),
  },
  {
    name: 'setCgroup: misspelt key writeBack',
    code: 'ERR_INVALID_OPTION',
    message: /valid keys: zswapMax, writeback/,
    run: ({ cache }) => cache.setCgroup('limited', { writeBack: false } as never),
  },
  {
    name: 'createCgroup: misspelt key zswapmax creates nothing',
    code: 'ERR_INVALID_OPTION',
    message: /valid keys/,
    run: ({ cache }) => cache.createCgroup('fresh', { zswapmax: 1 } as never),
    after: ({ cache }) => expect(() => cache.setCgroup('fresh', {})).toThrow(/fresh/),
  },
  {
    name: 'createCgroup: options null',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.createCgroup('fresh', null as never),
    after: ({ cache }) => expect(() => cache.setCgroup('fresh', {})).toThrow(/fresh/),
  },
  { name: "createCgroup('')", code: 'ERR_INVALID_OPTION', run: ({ cache }) => cache.createCgroup('') },
  {
    name: 'createCgroup: a name that exists',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.createCgroup('limited'),
  },
  {
    name: 'setCompressor(null)',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) => cache.setCompressor(null as never),
  },
  {
    name: 'setCompressor: an accelerator with maxBatch 513 (not registered)',
    code: 'ERR_INVALID_OPTION',
    message: /maxBatch/,
    run: ({ cache }) => cache.setCompressor(hugeBatchAccelerator(513)),
  },
  {
    name: 'setCompressor: an accelerator whose capabilities have no format',
    code: 'ERR_INVALID_OPTION',
    run: ({ cache }) =>
      cache.setCompressor({ ...hugeBatchAccelerator(8), capabilities: { maxBatch: 8 } } as never),
  },
  {
    name: 'setCompressor: a compressor of specification v9',
    code: 'ERR_UNSUPPORTED_SPECIFICATION',
    run: ({ cache }) => cache.setCompressor({ ...noCapabilities(), specificationVersion: 'v9' } as never),
  },

  // ---- use after close (the cache is closed by the row) ----
  {
    name: 'store after close()',
    code: 'ERR_CLOSED',
    closes: true,
    run: async ({ cache }) => {
      await cache.close()
      return cache.store(folio(900))
    },
  },
  {
    name: 'has() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    guards: 'issue 10 item 6',
    run: async ({ cache }) => {
      await cache.close()
      return cache.has({ type: 0, offset: 0 })
    },
  },
  {
    name: 'setParams() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    guards: 'issue 10 item 6',
    run: async ({ cache }) => {
      await cache.close()
      return cache.setParams({ enabled: false })
    },
  },
  {
    name: 'stats() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    guards: 'issue 10 item 6',
    run: async ({ cache }) => {
      await cache.close()
      return cache.stats()
    },
  },

  {
    name: 'storedPages after close()',
    code: 'ERR_CLOSED',
    closes: true,
    run: async ({ cache }) => {
      await cache.close()
      return cache.storedPages
    },
  },
  {
    name: 'load() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    run: async ({ cache }) => {
      await cache.close()
      return cache.load(folio(0))
    },
  },
  {
    name: 'shrink() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    run: async ({ cache }) => {
      await cache.close()
      return cache.shrink(1)
    },
  },
  {
    name: 'createCgroup() after close()',
    code: 'ERR_CLOSED',
    closes: true,
    run: async ({ cache }) => {
      await cache.close()
      return cache.createCgroup('late')
    },
  },

  // ---- drivers' options ----
  {
    name: "lz4({ checksum: 'yes' })",
    code: 'ERR_INVALID_OPTION',
    run: () => lz4({ checksum: 'yes' as never }),
  },
  { name: 'zstd({ level: 100 })', code: 'ERR_INVALID_OPTION', run: () => zstd({ level: 100 }) },
  { name: 'zstd({ level: 1.5 })', code: 'ERR_INVALID_OPTION', run: () => zstd({ level: 1.5 }) },
  { name: 'deflate({ level: 10 })', code: 'ERR_INVALID_OPTION', run: () => deflate({ level: 10 }) },
  { name: 'deflate({ mem: 13 })', code: 'ERR_INVALID_OPTION', run: () => deflate({ mem: 13 }) },
  { name: 'zsmalloc({ maxPages: -1 })', code: 'ERR_INVALID_OPTION', run: () => zsmalloc({ maxPages: -1 }) },
  { name: 'zsmalloc({ chainSize: 0 })', code: 'ERR_INVALID_OPTION', run: () => zsmalloc({ chainSize: 0 }) },
  { name: 'zbud({ maxPages: -1 })', code: 'ERR_INVALID_OPTION', run: () => zbud({ maxPages: -1 }) },
  { name: 'zbud({ maxPages: 1.5 })', code: 'ERR_INVALID_OPTION', run: () => zbud({ maxPages: 1.5 }) },
  {
    name: "z3fold({ maxPages: 'x' })",
    code: 'ERR_INVALID_OPTION',
    run: () => z3fold({ maxPages: 'x' as never }),
  },
  { name: 'iaa({ engines: 0 })', code: 'ERR_INVALID_OPTION', run: () => iaa({ engines: 0 }) },
  { name: 'iaa({ maxBatch: 17 })', code: 'ERR_INVALID_OPTION', run: () => iaa({ maxBatch: 17 }) },
  {
    name: "iaa({ algorithm: 'brotli' })",
    code: 'ERR_INVALID_OPTION',
    run: () => iaa({ algorithm: 'brotli' as never }),
  },
  { name: 'iaa({ jobTimeoutMs: -1 })', code: 'ERR_INVALID_OPTION', run: () => iaa({ jobTimeoutMs: -1 }) },
  { name: 'byN(lz4(), { n: 3 })', code: 'ERR_INVALID_OPTION', run: () => byN(lz4(), { n: 3 }) },
  { name: 'byN(lz4(), { n: 128 })', code: 'ERR_INVALID_OPTION', run: () => byN(lz4(), { n: 128 }) },
  {
    name: 'byN(lz4(), { maxInputSize: 0 })',
    code: 'ERR_INVALID_OPTION',
    run: () => byN(lz4(), { maxInputSize: 0 }),
  },
  {
    name: "byN(lz4(), { checksum: 'yes' })",
    code: 'ERR_INVALID_OPTION',
    run: () => byN(lz4(), { checksum: 'yes' as never }),
  },
  {
    name: 'memorySwapDevice({ pages: 0 })',
    code: 'ERR_INVALID_OPTION',
    run: () => memorySwapDevice({ pages: 0 }),
  },
  {
    name: "fileSwapDevice({ path: '' })",
    code: 'ERR_INVALID_OPTION',
    run: () => fileSwapDevice({ path: '', pages: 1 }),
  },

  // ---- decompress paths ----
  ...codecRows('lz4', () => lz4()),
  ...codecRows('zstd', () => zstd({ level: 1 })),
  ...codecRows('deflate', () => deflate({ level: 1 })),
  { name: 'iaa: garbage bytes', code: 'ERR_CORRUPT_DATA', run: () => iaaDecompress(GARBAGE) },
  { name: 'iaa: empty block', code: 'ERR_CORRUPT_DATA', run: () => iaaDecompress(new Uint8Array(0)) },
  {
    name: 'iaa: truncated block (half of a valid one)',
    code: 'ERR_CORRUPT_DATA',
    run: async () => {
      const block = await iaaCompress(stampedPage(4))
      return iaaDecompress(block.subarray(0, block.length >> 1))
    },
  },
  {
    name: 'iaa: a valid page block into a 1 KiB buffer',
    code: 'ERR_CORRUPT_DATA',
    run: async () => iaaDecompress(await iaaCompress(stampedPage(5)), new Uint8Array(1024)),
  },

  {
    name: 'iaa: compressBatch after close() rejects its promise (no synchronous throw)',
    code: 'ERR_CLOSED',
    guards: 'issue 10 item 6',
    run: async () => {
      const d = iaa({ engines: 1 })
      await d.close()
      let p: Promise<void>
      try {
        p = d.compressBatch([{ src: page(), dst: page(), length: 0, error: undefined }], 1)
      } catch {
        return 'threw synchronously'
      }
      return p
    },
  },

  // ---- by_n's decompress path ----
  ...byNRows(),

  // ---- the harness CLI ----
  cli(
    ['--compressor', 'brotli'],
    /unknown compressor or accelerator brotli; valid: lz4, zstd, deflate, lzo, lzo_rle, iaa, by_n/,
  ),
  cli(['--zpool', 'foo'], /unknown zpool foo; valid: zsmalloc, zbud, z3fold/),
  cli(['--folio-order', '10'], /--folio-order must be an integer in 0\.\.9/),
  cli(['--folio-order', ''], /--folio-order/, 'issue 10 item 7'),
  cli(['--folio-order', '0x2'], /--folio-order/, 'issue 10 item 7'),
  cli(['--warmup', '1e0'], /--warmup/),
  cli(['--runs', '-1'], /--runs/, 'issue 10 item 7'),
  cli(['--corpus', ''], /--corpus/, 'issue 10 item 7'),
  cli(['--corpus', '/nonexistent/x.pages'], /cannot read corpus/),
  cli(['--inject-fault', 'nope'], /--inject-fault must be one of/),
  cli(['--folio-ordr', '2'], /--folio-ordr/, 'issue 10 item 7'),
]

// the table has to stay wide: issue 12 asks for at least 60 kinds of bad input
it('has at least 60 rows', () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(60)
  expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length)
})

describe('hostile input: a typed error with a stable code (or exit 2), nothing changed', () => {
  for (const row of ROWS) {
    it(`${row.name} → ${row.code}${row.guards ? ` (guards ${row.guards})` : ''}`, async () => {
      const { ctx, expected, snapshot: before } = await fixture()
      try {
        if (row.code === 'EXIT_2') {
          const r = (await row.run(ctx)) as ReturnType<typeof spawnSync>
          expect(r.error).toBeUndefined()
          expect(r.status, `stderr: ${r.stderr}`).toBe(2)
          expect(String(r.stderr)).toMatch(row.stderr ?? /./)
          expect(String(r.stdout)).toBe('')
        } else {
          let error: unknown
          let result: unknown
          try {
            result = await row.run(ctx)
          } catch (e) {
            error = e
          }
          if (row.either && error === undefined) {
            row.after?.(ctx)
            // stored as first read (one page, now invalidated): counters moved, every other page must not
            await expectUnchanged(ctx.cache, expected, undefined)
            return
          }
          expect(error, `no error; returned ${String(result)}`).toBeDefined()
          const code = (error as { code?: unknown }).code
          expect(code, String(error)).toBe(row.code)
          if (code !== 'ERR_INVALID_OPTION') expect(ZswapError.isInstance(error), String(error)).toBe(true)
          expect(String((error as Error).message)).toMatch(/^\[[@\w/.-]+\] /)
          if (row.message) expect(String((error as Error).message)).toMatch(row.message)
        }
        if (!row.closes) {
          row.after?.(ctx)
          await expectUnchanged(ctx.cache, expected, before)
        }
      } finally {
        await ctx.cache.close()
      }
    })
  }
})
