// A third-party driver joins the harness by naming its package: here the example
// driver in examples/brotli (package zswap-driver-brotli, factory brotli()).
//   pnpm harness --config apps/harness/examples/brotli.config.mjs
import { defineConfig } from 'zswap-harness'

export default defineConfig({
  drivers: {
    brotli: { package: 'zswap-driver-brotli', kind: 'compressor', params: { quality: 'int' } },
  },
  stacks: ['lz4+zsmalloc', 'brotli(quality=1)+zsmalloc', 'brotli(quality=5)+zsmalloc'],
  workloads: ['replay(order=0)'],
  runs: 3,
})
