import { zpoolSuite } from '@zswap/conformance'
import { z3fold } from '../src/index.js'

zpoolSuite('z3fold', ({ maxPages }) => z3fold({ maxPages }))
