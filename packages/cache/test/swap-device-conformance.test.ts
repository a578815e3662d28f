import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// the cache cannot depend on @zswap/conformance (that package depends on the cache): import its source
import { swapDeviceSuite } from '../../conformance/src/index.js'
import { fileSwapDevice, memorySwapDevice } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'zswap-swapdev-'))
let files = 0
const paths = new WeakMap<object, string>()

swapDeviceSuite('memory', () => memorySwapDevice({ pages: 64 }))
swapDeviceSuite(
  'file',
  async () => {
    const path = join(dir, `swap-${files++}`)
    const device = await fileSwapDevice({ path, pages: 64, truncate: true })
    paths.set(device, path)
    return device
  },
  { reopen: (previous) => fileSwapDevice({ path: paths.get(previous) as string, pages: 64 }) },
)
