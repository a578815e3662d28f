import { zpoolSuite } from '@zswap/conformance'
import { zsmalloc } from '../src/index.js'

zpoolSuite('zsmalloc', ({ maxPages }) => zsmalloc({ maxPages }))
zpoolSuite('zsmalloc (chain 4, multi-page)', ({ maxPages }) =>
  zsmalloc({ maxPages, chainSize: 4, multiPage: true }),
)
