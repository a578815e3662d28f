// Per-call cost on 4 KiB pages: fflate called as-is vs the way the fflate engine calls it, and the zlib engine.
// Run after `pnpm build`: node bench/setup-cost.mjs [pages-file]  (raw 4 KiB pages; default: a synthetic mix)
// Variants run interleaved, round after round, so machine noise hits them alike; medians of 9 rounds.
import { readFileSync } from 'node:fs'
import { deflateSync, inflateSync } from 'fflate'
import { deflate } from '../dist/index.js'

const file = process.argv[2]
const raw = file ? readFileSync(file) : synthetic()
const n = Math.min(512, Math.floor(raw.length / 4096))
const step = Math.max(1, Math.floor(raw.length / 4096 / n))
const pages = Array.from(
  { length: n },
  (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * step * 4096, 4096),
)

function synthetic() {
  const b = Buffer.alloc(256 * 4096)
  let x = 1
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    b[i] = i % 4096 < 2048 ? 97 + ((x >>> 16) % 8) : (x >>> 24) & (i % 3 === 0 ? 255 : 7)
  }
  return b
}

function compare(variants, rounds = 9) {
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(variants)) {
      const s = process.hrtime.bigint()
      for (let i = 0; i < pages.length; i++) fn(pages[i], i)
      times[k].push(Number(process.hrtime.bigint() - s) / 1e3 / pages.length)
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([k, t]) => [k, t.sort((a, b) => a - b)[rounds >> 1].toFixed(1)]),
  )
}

const dst = new Uint8Array(4096 + 64)
const out = new Uint8Array(4096)
const tiny = new Uint8Array(16).fill(65)
for (const level of [1, 6]) {
  // bare raw deflate (no CRC trailer), so the driver reads fflate's output as it is
  const d = deflate({ level, engine: 'fflate', checksum: false })
  const z = deflate({ level, checksum: false })
  const comp = pages.map((p) => deflateSync(p, { level }))
  console.log(`level ${level}, ${pages.length} pages, µs per call (median of 9 interleaved rounds)`)
  console.table(
    compare({
      'deflateSync 16 B (fixed set-up)': () => deflateSync(tiny, { level }),
      'deflateSync page, fflate default': (p) => deflateSync(p, { level }),
      'deflateSync page, mem 0': (p) => deflateSync(p, { level, mem: 0 }),
      'driver compress (default + copy)': (p) => d.compress(p, dst),
      'inflateSync page, allocates': (_, i) => inflateSync(comp[i]),
      'driver decompress (reused out)': (_, i) => d.decompress(comp[i], out),
      'zlib engine compress': (p) => z.compress(p, dst),
      'zlib engine decompress': (_, i) => z.decompress(comp[i], out),
    }),
  )
}
