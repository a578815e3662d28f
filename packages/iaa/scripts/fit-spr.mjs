#!/usr/bin/env node
// Fits the 'spr' device model to the published Sapphire Rapids figures and
// prints the preset (packages/iaa/src/presets.ts) and the model-vs-published
// tables. Run after `pnpm --filter @zswap/iaa build`:
//   node packages/iaa/scripts/fit-spr.mjs [--json]
// The method is in packages/iaa/README.md ("The timing model").
import {
  BY_N_RFC_TABLE,
  byNLatencies,
  fitBatchNs,
  fitDirection,
  IAA_CRYPTO_V11_TABLE1,
  modelBatch,
} from '../dist/index.js'

const ENGINES = 8
const PAGE = 4096

const c = fitDirection(byNLatencies('compress'), ENGINES)
// No by_n decompress row queues on the engines, so only a0 + t_e is determined there:
// take the by_n path's per-call overhead a0 from compress (the same driver path).
const d = fitDirection(byNLatencies('decompress'), ENGINES, { batchNs: c.batchNs })
const t1 = IAA_CRYPTO_V11_TABLE1
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits
const model = {
  name: 'spr',
  engines: ENGINES,
  compress: { engineNs: round(c.engineNs), bytesPerNs: round(c.bytesPerNs, 4) },
  decompress: { engineNs: round(d.engineNs), bytesPerNs: round(d.bytesPerNs, 4) },
  paths: {
    zswap: {
      compress: {
        batchNs: round(fitBatchNs(t1.sync.compressNs, PAGE, c, c.submitNs)),
        submitNs: round(c.submitNs),
      },
      decompress: {
        batchNs: round(fitBatchNs(t1.sync.decompressNs, PAGE, d, d.submitNs)),
        submitNs: round(d.submitNs),
      },
    },
    byN: {
      compress: { batchNs: round(c.batchNs), submitNs: round(c.submitNs) },
      decompress: { batchNs: round(d.batchNs), submitNs: round(d.submitNs) },
    },
  },
  irqNs: {
    compress: t1.asyncIrq.compressNs - t1.sync.compressNs,
    decompress: t1.asyncIrq.decompressNs - t1.sync.decompressNs,
  },
}

const byN = BY_N_RFC_TABLE.map((r) => {
  const bytes = new Array(r.n).fill(65536 / r.n)
  const mc = modelBatch(model, 'compress', bytes, { path: 'byN' }).batchNs
  const md = modelBatch(model, 'decompress', bytes, { path: 'byN' }).batchNs
  return {
    n: r.n,
    modeledCompressNs: Math.round(mc),
    publishedCompressNs: r.compressNs,
    compressError: round((100 * (mc - r.compressNs)) / r.compressNs, 2),
    modeledDecompressNs: Math.round(md),
    publishedDecompressNs: r.decompressNs,
    decompressError: round((100 * (md - r.decompressNs)) / r.decompressNs, 2),
  }
})
const table1 = ['sync', 'asyncIrq'].flatMap((mode) =>
  ['compress', 'decompress'].map((dir) => {
    const ns = modelBatch(model, dir, [PAGE], { path: 'zswap', irq: mode === 'asyncIrq' }).batchNs
    const pub = t1[mode][`${dir}Ns`]
    return {
      mode,
      direction: dir,
      modeledNs: Math.round(ns),
      publishedNs: pub,
      error: round((100 * (ns - pub)) / pub, 2),
    }
  }),
)

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ model, fit: { compress: c, decompress: d }, byN, table1 }, null, 2))
} else {
  console.log('preset (packages/iaa/src/presets.ts):')
  console.log(JSON.stringify(model, null, 2))
  console.log(
    `\nby_n fit: compress max error ${(100 * c.maxRelError).toFixed(2)} %, decompress ${(100 * d.maxRelError).toFixed(2)} %`,
  )
  console.log('\nby_n path (64 KiB folio in n chunks), ns: modeled / published (error %)')
  console.log('| n | compress | decompress |\n|---|---|---|')
  for (const r of byN) {
    console.log(
      `| ${r.n} | ${r.modeledCompressNs} / ${r.publishedCompressNs} (${r.compressError}) | ` +
        `${r.modeledDecompressNs} / ${r.publishedDecompressNs} (${r.decompressError}) |`,
    )
  }
  console.log('\nzswap path, one 4 KiB page, ns: modeled / published (error %)')
  for (const r of table1)
    console.log(`${r.mode} ${r.direction}: ${r.modeledNs} / ${r.publishedNs} (${r.error})`)
}
