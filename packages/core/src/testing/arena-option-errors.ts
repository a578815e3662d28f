import type { PageArena } from '../page-arena.js'

/**
 * What a zpool built on `zpoolArena()` must reject in its `arena` and
 * `maxPages` options: rows of [case, options, error class, message part],
 * for an `it.each` in the pool's own tests (the pool must pass its options
 * on as given). `arena` is a PageArena of the test's.
 */
export function arenaOptionErrors(
  arena: PageArena,
): [string, object, typeof TypeError | typeof RangeError, string][] {
  const notArena = 'options.arena must be a PageArena from @zswap/core'
  const badMax = 'options.maxPages must be a non-negative integer or Infinity'
  return [
    ['arena {}', { arena: {} }, TypeError, notArena],
    ['arena null', { arena: null }, TypeError, notArena],
    ['arena a function', { arena: () => 0 }, TypeError, notArena],
    [
      'arena + maxPages',
      { arena, maxPages: 4 },
      RangeError,
      'options.maxPages must be left out when options.arena is given',
    ],
    ['maxPages -1', { maxPages: -1 }, RangeError, badMax],
    ['maxPages 1.5', { maxPages: 1.5 }, RangeError, badMax],
    ['maxPages NaN', { maxPages: Number.NaN }, RangeError, badMax],
  ]
}
