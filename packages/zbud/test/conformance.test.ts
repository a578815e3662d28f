import { zpoolSuite } from '@zswap/conformance'
import { zbud } from '../src/index.js'

zpoolSuite('zbud', ({ maxPages }) => zbud({ maxPages }))
