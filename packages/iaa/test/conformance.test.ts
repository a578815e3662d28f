import { acceleratorSuite } from '@zswap/conformance'
import { iaa } from '../src/index.js'

// A device starts a thread per engine: the healthy configurations share one device between the
// tests that leave it open. The one with a fault gets a fresh device, so each test sees a death.
acceleratorSuite('@zswap/iaa (deflate, 2 engines)', () => iaa({ engines: 2 }), { share: true })
acceleratorSuite(
  '@zswap/iaa (zstd, sync mode, one shared WQ)',
  () => iaa({ engines: 2, wqs: 1, wqMode: 'shared', algorithm: 'zstd', mode: 'sync' }),
  { share: true },
)
acceleratorSuite('@zswap/iaa (deflate, async mode, engine 0 dies after 3 jobs)', () =>
  iaa({ engines: 2, mode: 'async', faults: { killEngine: { engine: 0, afterJobs: 3 } } }),
)
acceleratorSuite(
  "@zswap/iaa (deflate, sync mode, timing modeled with 'spr')",
  () => iaa({ engines: 2, mode: 'sync', timing: 'model', device: 'spr' }),
  { share: true },
)
acceleratorSuite('@zswap/iaa (lz4, irq mode)', () => iaa({ engines: 2, algorithm: 'lz4', mode: 'irq' }), {
  share: true,
})
acceleratorSuite('@zswap/iaa (deflate, canned mode)', () => iaa({ engines: 2, compressionMode: 'canned' }), {
  share: true,
})
acceleratorSuite(
  '@zswap/iaa (deflate, dynamic mode: jobs above 4 KiB in software)',
  () => iaa({ engines: 2, compressionMode: 'dynamic' }),
  { share: true },
)
