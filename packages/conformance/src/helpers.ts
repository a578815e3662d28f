import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type ErrorCode, ZswapError } from '@zswap/core'
import { expect } from 'vitest'

/** Returns a fresh driver, or a promise of one. */
export type Factory<T, A extends unknown[] = []> = (...args: A) => T | Promise<T>

/** The error thrown by `fn` (sync or async), or undefined when it did not throw. */
export async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn()
    return undefined
  } catch (error) {
    return error
  }
}

/** Expects `fn` to throw (or reject with) a ZswapError with one of `codes`. */
export async function expectCode(fn: () => unknown, ...codes: ErrorCode[]): Promise<ZswapError> {
  const error = await caught(fn)
  expect(error, `expected a ZswapError ${codes.join(' or ')}, got no error`).toBeDefined()
  expect(ZswapError.isInstance(error), `expected a ZswapError, got ${String(error)}`).toBe(true)
  expect(codes).toContain((error as ZswapError).code)
  return error as ZswapError
}

/** Same as {@link expectCode} for synchronous calls: the call must throw, not return a promise. */
export function expectCodeSync(fn: () => unknown, ...codes: ErrorCode[]): ZswapError {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, `expected a ZswapError ${codes.join(' or ')}, got no error`).toBeDefined()
  expect(ZswapError.isInstance(error), `expected a ZswapError, got ${String(error)}`).toBe(true)
  expect(codes).toContain((error as ZswapError).code)
  return error as ZswapError
}

/**
 * Expects `fn` to return a promise that rejects with a ZswapError with one of `codes`, as
 * promise-returning APIs must for misuse: a synchronous throw fails.
 */
export async function expectRejects(fn: () => unknown, ...codes: ErrorCode[]): Promise<ZswapError> {
  let result: unknown
  let thrown: unknown
  let threw = false
  try {
    result = fn()
  } catch (error) {
    threw = true
    thrown = error
  }
  expect(threw, `expected a rejected promise, but the call threw synchronously: ${String(thrown)}`).toBe(
    false,
  )
  expect(
    typeof (result as { then?: unknown } | undefined)?.then,
    'expected the call to return a promise',
  ).toBe('function')
  const error = await caught(() => result)
  expect(error, `expected a rejection with ${codes.join(' or ')}, but the promise resolved`).toBeDefined()
  expect(ZswapError.isInstance(error), `expected a ZswapError, got ${String(error)}`).toBe(true)
  expect(codes).toContain((error as ZswapError).code)
  return error as ZswapError
}

/**
 * Expects `actual` to hold exactly the bytes of `expected`. A byte loop instead of `toEqual`,
 * which walks a typed array element by element (about 5 ms per 4 KiB page); on a mismatch it
 * names the lengths and the first differing byte.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  if (!(actual instanceof Uint8Array)) {
    expect.fail(`${what}: expected a Uint8Array, got ${Object.prototype.toString.call(actual)}`)
  }
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.length)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.length)
  if (a.length === b.length && a.equals(b)) return
  let at = 0
  while (at < a.length && at < b.length && a[at] === b[at]) at++
  const got = at < a.length ? `0x${a[at].toString(16)}` : 'the end'
  const want = at < b.length ? `0x${b[at].toString(16)}` : 'the end'
  expect.fail(
    `${what}: ${a.length} bytes, expected ${b.length}; first difference at byte ${at}: ${got}, expected ${want}`,
  )
}

let gcFn: (() => void) | undefined

/** A full GC, made available without --expose-gc. */
export function collectGarbage(): void {
  if (!gcFn) {
    const g = (globalThis as { gc?: () => void }).gc
    if (g) gcFn = g
    else {
      setFlagsFromString('--expose-gc')
      gcFn = runInNewContext('gc') as () => void
    }
  }
  gcFn()
  gcFn()
}

/** JS heap plus ArrayBuffer and external memory after a full GC, in bytes. */
export function retainedBytes(): number {
  collectGarbage()
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}

/**
 * Bytes retained by running `fn` `times` more times, measured after a warm-up
 * of the same length. The smallest of three measurements, so a GC that
 * happens to lag does not count as a leak.
 */
export function retainedGrowth(fn: (i: number) => void, times: number): number {
  for (let i = 0; i < times; i++) fn(i)
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < 3; round++) {
    const before = retainedBytes()
    for (let i = 0; i < times; i++) fn(i)
    best = Math.min(best, retainedBytes() - before)
  }
  return best
}

/** Deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
