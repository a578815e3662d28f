// A typed config file (TypeScript is loaded through jiti). Copy it next to where you run
// `zswap-harness`, or pass --config. Every field is optional; flags override each one.
import { defineConfig } from 'zswap-harness'

export default defineConfig({
  stacks: ['lz4+zsmalloc', 'zstd-3+zbud', 'iaa(deflate,engines=2)+zsmalloc', 'zstd-{1,3,9}+zsmalloc'],
  workloads: [
    'replay(mix=0:40/2:20/4:30/9:10)',
    'synthetic(pages=4096,ratio=3,zero=0.1,same=0.05)',
    'pressure(streams=4,limit=0.25,readahead=8)',
  ],
  // corpora: ['../../../shared/corpus/redis-mixed.pages.zst'],  // relative to this file
  runs: 3,
  warmup: 1,
  output: { html: 'zswap-report.html', json: 'zswap-report.json' },
})
