import { acceleratorSuite } from '@zswap/conformance'
import { iaa } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { byN } from '../src/index.js'

acceleratorSuite('@zswap/by-n (n 8 over lz4)', () => byN(lz4(), { n: 8 }))
acceleratorSuite('@zswap/by-n (n 4 over the IAA emulation, deflate, 2 engines)', () =>
  byN(iaa({ engines: 2 }), { n: 4 }),
)
acceleratorSuite('@zswap/by-n (n 8 over the IAA emulation, timing modeled with spr)', () =>
  byN(iaa({ engines: 2, mode: 'sync', model: 'spr' }), { n: 8 }),
)
