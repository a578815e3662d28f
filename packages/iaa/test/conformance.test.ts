import { acceleratorSuite } from '@zswap/conformance'
import { iaa } from '../src/index.js'

acceleratorSuite('@zswap/iaa (deflate, 2 engines)', () => iaa({ engines: 2 }))
acceleratorSuite('@zswap/iaa (zstd, sync mode, one shared WQ)', () =>
  iaa({ engines: 2, wqs: 1, wqMode: 'shared', algorithm: 'zstd', mode: 'sync' }),
)
acceleratorSuite('@zswap/iaa (deflate, async mode, engine 0 dies after 3 jobs)', () =>
  iaa({ engines: 2, mode: 'async', faults: { killEngine: { engine: 0, afterJobs: 3 } } }),
)
acceleratorSuite('@zswap/iaa (lz4, irq mode)', () => iaa({ engines: 2, algorithm: 'lz4', mode: 'irq' }))
