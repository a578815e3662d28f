import { byN } from '@zswap/by-n'
import { samplePages } from '@zswap/conformance'
import { type Accelerator, type Compressor, type DecompressJob, PAGE_SIZE, ZswapError } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { type IaaDevice, iaa } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { zstd } from '@zswap/zstd'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { Prng } from '../src/prng.js'

/**
 * fast-check over every decompress path (issue 12): random bytes and mutated
 * valid blocks must come back as the exact page or a CorruptDataError —
 * never another error, never a write outside the output buffer, never a
 * wrong page, never a hang (vitest's timeout). Inputs are exact-size copies,
 * so a native read past the end is not masked by neighbouring bytes.
 */

const GUARD = 64
const CANARY = 0xcc

/** A page-sized output buffer with canary bytes on both sides. */
function guardedPage(): { dst: Uint8Array; intact: () => boolean } {
  const whole = new Uint8Array(GUARD + PAGE_SIZE + GUARD).fill(CANARY)
  const dst = whole.subarray(GUARD, GUARD + PAGE_SIZE)
  return {
    dst,
    intact: () => {
      for (let i = 0; i < GUARD; i++)
        if (whole[i] !== CANARY || whole[GUARD + PAGE_SIZE + i] !== CANARY) return false
      return true
    },
  }
}

const PAGES = samplePages()
  .filter((p) => p.kind !== 'random')
  .map((p) => p.data)

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'splice'; at: number; bytes: Uint8Array }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
)

/** Applies a mutation; the result always differs from the block. */
function mutate(block: Uint8Array, m: Mutation): Uint8Array {
  const out = new Uint8Array(block)
  switch (m.kind) {
    case 'flip':
      out[m.at % out.length] ^= 1 << m.bit
      return out
    case 'truncate':
      return out.slice(0, m.at % out.length)
    case 'append': {
      const longer = new Uint8Array(out.length + m.bytes.length)
      longer.set(out)
      longer.set(m.bytes, out.length)
      return longer
    }
    case 'set': {
      const at = m.at % out.length
      out[at] = m.value === out[at] ? (m.value + 1) & 0xff : m.value
      return out
    }
    case 'splice': {
      const at = m.at % out.length
      for (let i = 0; i < m.bytes.length && at + i < out.length; i++) out[at + i] = m.bytes[i]
      if (out.every((b, i) => b === block[i])) out[at] ^= 0x80
      return out
    }
  }
}

/** Runs a decompress; returns the length, or the CorruptDataError it threw. Any other error fails the test. */
function outcome(run: () => number): number | ZswapError {
  try {
    return run()
  } catch (error) {
    if (!ZswapError.hasCode(error, 'ERR_CORRUPT_DATA')) throw error
    return error
  }
}

/** `guards`: the issue-10 item a codec's mutated-block property failed on before its fix. */
const CODECS: { name: string; make: () => Compressor; guards?: string }[] = [
  { name: 'lz4', make: () => lz4() },
  { name: 'zstd', make: () => zstd({ level: 1 }) },
  { name: 'deflate', make: () => deflate({ level: 1 }), guards: 'issue 10 item 2' },
]

for (const codec of CODECS) {
  describe(`${codec.name} decompress`, () => {
    const c = codec.make()
    const blocks = PAGES.map((page) => {
      const dst = new Uint8Array(2 * PAGE_SIZE)
      return { page, block: dst.slice(0, c.compress(page, dst)) }
    })

    it('random bytes: a length within the page or CorruptDataError, nothing written outside', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 6000 }), (bytes) => {
          const { dst, intact } = guardedPage()
          const r = outcome(() => c.decompress(bytes.slice(), dst))
          if (typeof r === 'number') expect(Number.isInteger(r) && r >= 0 && r <= PAGE_SIZE).toBe(true)
          expect(intact()).toBe(true)
        }),
        { numRuns: 400 },
      )
    })

    it('valid blocks decompress to their page', () => {
      for (const { page, block } of blocks) {
        const { dst } = guardedPage()
        expect(c.decompress(block, dst)).toBe(PAGE_SIZE)
        expect(Buffer.from(dst).equals(page)).toBe(true)
      }
    })

    it(`mutated valid blocks: the exact page or CorruptDataError, never a wrong page${codec.guards ? ` (guards ${codec.guards})` : ''}`, () => {
      fc.assert(
        fc.property(fc.nat(blocks.length - 1), mutation, (i, m) => {
          const { page, block } = blocks[i]
          const bad = mutate(block, m)
          const { dst, intact } = guardedPage()
          const r = outcome(() => c.decompress(bad, dst))
          expect(intact()).toBe(true)
          if (typeof r === 'number') {
            expect(r, `${m.kind}: returned ${r} bytes instead of an error`).toBe(PAGE_SIZE)
            expect(Buffer.from(dst).equals(page), `${m.kind}: a wrong page`).toBe(true)
          }
        }),
        { numRuns: 600 },
      )
    })
  })
}

/** The batch decompress paths: the IAA emulation (deflate + CRC-32) and by_n (n = 4 over lz4, CRC-32). */
const DEVICES: { name: string; make: () => Accelerator | IaaDevice; guards?: string }[] = [
  { name: 'iaa (deflate)', make: () => iaa({ engines: 1 }), guards: 'issue 10 item 2' },
  { name: 'by_n (n = 4, lz4)', make: () => byN(lz4(), { n: 4, maxBatch: 8 }) },
]

for (const spec of DEVICES)
  describe(`${spec.name} decompressBatch`, () => {
    let device: Accelerator | undefined
    const dev = () => {
      device ??= spec.make()
      return device
    }
    afterAll(async () => {
      await device?.close()
    })

    async function run(srcs: Uint8Array[]): Promise<{ jobs: DecompressJob[]; intact: boolean }> {
      const guards = srcs.map(() => guardedPage())
      const jobs: DecompressJob[] = srcs.map((src, i) => ({
        src,
        dst: guards[i].dst,
        length: 0,
        error: undefined,
      }))
      await dev().decompressBatch(jobs, jobs.length)
      return { jobs, intact: guards.every((g) => g.intact()) }
    }

    async function compressAll(): Promise<{ page: Uint8Array; block: Uint8Array }[]> {
      const out: { page: Uint8Array; block: Uint8Array }[] = []
      for (let i = 0; i < PAGES.length; i += 8) {
        const pages = PAGES.slice(i, i + 8)
        const jobs = pages.map((src) => ({
          src,
          dst: new Uint8Array(2 * PAGE_SIZE),
          length: 0,
          error: undefined,
        }))
        await dev().compressBatch(jobs, jobs.length)
        jobs.forEach((j, k) => {
          expect(j.error).toBeUndefined()
          out.push({ page: pages[k], block: j.dst.slice(0, j.length) })
        })
      }
      return out
    }

    it('random bytes: a length within the page or CorruptDataError per job, nothing written outside', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ maxLength: 6000 }), { minLength: 1, maxLength: 8 }),
          async (srcs) => {
            const { jobs, intact } = await run(srcs.map((s) => s.slice()))
            expect(intact).toBe(true)
            for (const j of jobs) {
              if (j.error !== undefined) expect(j.error.code).toBe('ERR_CORRUPT_DATA')
              else expect(j.length >= 0 && j.length <= PAGE_SIZE).toBe(true)
            }
          },
        ),
        { numRuns: 60 },
      )
    })

    // issue 10 item 2: the IAA formats carry a CRC-32 since its fix; before it about half the loads were wrong
    it(`mutated valid blocks: the exact page or CorruptDataError${spec.guards ? ` (guards ${spec.guards})` : ''}`, async () => {
      const blocks = await compressAll()
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(blocks.length - 1), mutation), { minLength: 1, maxLength: 8 }),
          async (cases) => {
            const { jobs, intact } = await run(cases.map(([i, m]) => mutate(blocks[i].block, m)))
            expect(intact).toBe(true)
            jobs.forEach((j, k) => {
              if (j.error !== undefined) expect(j.error.code).toBe('ERR_CORRUPT_DATA')
              else {
                expect(j.length).toBe(PAGE_SIZE)
                expect(Buffer.from(j.dst).equals(blocks[cases[k][0]].page), 'a wrong page').toBe(true)
              }
            })
          },
        ),
        { numRuns: 80 },
      )
    })
  })

// by_n's partial path: one page of a 4-page object (DecompressJob.start), from a mutated object
describe('by_n (n = 4, lz4) partial decompress of one page', () => {
  const device = byN(lz4(), { n: 4 })
  afterAll(async () => {
    await device.close()
  })

  it('mutated 4-page objects: the exact page asked for or CorruptDataError, nothing written outside', async () => {
    const object = new Uint8Array(4 * PAGE_SIZE)
    for (let i = 0; i < 4; i++) object.set(PAGES[(i * 5 + 1) % PAGES.length], i * PAGE_SIZE)
    // page 2 random: its chunk is stored raw, so only by_n's CRC-32 can catch a bit flipped in it
    const prng = new Prng(2)
    for (let i = 2 * PAGE_SIZE; i < 3 * PAGE_SIZE; i++) object[i] = prng.int(256)
    const job = { src: object, dst: new Uint8Array(5 * PAGE_SIZE), length: 0, error: undefined }
    await device.compressBatch([job], 1)
    expect(job.error).toBeUndefined()
    expect(job.length).toBeGreaterThan(0)
    const block = job.dst.slice(0, job.length)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), mutation, async (k, m) => {
        const { dst, intact } = guardedPage()
        const d: DecompressJob = {
          src: mutate(block, m),
          dst,
          start: k * PAGE_SIZE,
          length: 0,
          error: undefined,
        }
        await device.decompressBatch([d], 1)
        expect(intact()).toBe(true)
        if (d.error !== undefined) expect(d.error.code, String(d.error)).toBe('ERR_CORRUPT_DATA')
        else {
          expect(d.length, `${m.kind}: returned ${d.length} bytes`).toBe(PAGE_SIZE)
          expect(
            Buffer.from(dst).equals(object.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE)),
            'a wrong page',
          ).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })
})
