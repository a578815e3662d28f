import { expect, it } from 'vitest'
import { type FaultKind, formatFuzzReport, runFuzz } from '../src/index.js'

/**
 * The fuzzer against the broken promises of issue 10. Each case found
 * divergences on the cache as of issue 10 (fixed seeds, checked then with
 * `it.fails`) and runs clean since the item's fix: they guard those fixes.
 */
async function clean(
  combo: string,
  kinds: readonly FaultKind[],
  seeds: number | readonly number[],
  ops = 1500,
  faultRate?: number,
) {
  // several seeds, so the case does not hang on one stream of pages and operations
  for (const seed of typeof seeds === 'number' ? [seeds] : seeds) {
    const report = await runFuzz({ ops, seed, combos: [combo], kinds, faultRate, maxDivergences: 1 })
    if (report.divergences > 0) expect.fail(formatFuzzReport(report))
  }
}

// issue 10 item 1: a load racing an invalidate rejected with InvalidHandleError
it('invalidate racing a load never makes the load throw (lz4+zbud, race-load) (guards issue 10 item 1)', () =>
  clean('lz4+zbud', ['race-load'], [101, 201, 301]))

// issue 10 item 2: deflate and the IAA emulation loaded wrong bytes from a corrupted object
it('a bit flipped in a stored deflate object never loads as wrong bytes (deflate+zsmalloc) (guards issue 10 item 2)', () =>
  clean('deflate+zsmalloc', ['corrupt-read'], [102, 202, 302]))
it('a bit flipped in a stored IAA object never loads as wrong bytes (iaa+zbud) (guards issue 10 item 2)', () =>
  clean('iaa+zbud', ['corrupt-read'], [103, 203, 303]))

// issue 10 item 3: a fault inside a store left part of the folio behind, or leaked a zpool object
it('an accelerator closed, throwing or failing mid-batch unwinds the whole store (lz4+zsmalloc) (guards issue 10 item 3)', () =>
  clean('lz4+zsmalloc', ['accel-closed', 'accel-throw', 'accel-partial'], 104))
it('zpool.write throwing leaves nothing stored and nothing leaked (zstd+z3fold) (guards issue 10 item 3)', () =>
  clean('zstd+z3fold', ['zpool-write-throw'], 105))
it('zpool.read throwing in the write-back a store runs unwinds that store (lz4+zsmalloc) (guards issue 10 item 3)', () =>
  clean('lz4+zsmalloc', ['zpool-read-throw'], [106, 206, 306], 3000))

// issue 10 item 8: storeBatch checked each folio's cgroup limit against the usage before the batch
it('storeBatch stops at a cgroup zswapMax like store does (no faults, lz4+zbud) (guards issue 10 item 8)', () =>
  clean('lz4+zbud', [], [1, 2, 3, 4, 5, 6, 7, 8], 2000, 0))
