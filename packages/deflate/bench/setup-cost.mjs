// Per-call cost of fflate on 4 KiB pages: fflate's defaults vs the options this driver uses.
// Run after `pnpm build`: node bench/setup-cost.mjs [pages-file]  (raw 4 KiB pages; default: a synthetic mix)
import { readFileSync } from 'node:fs'
import { deflateSync, inflateSync } from 'fflate'
import { deflate } from '../dist/index.js'

const file = process.argv[2]
const raw = file ? readFileSync(file) : synthetic()
const n = Math.min(1024, Math.floor(raw.length / 4096))
const pages = Array.from({ length: n }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * 4096, 4096))

function synthetic() {
  const b = Buffer.alloc(256 * 4096)
  let x = 1
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    b[i] = i % 4096 < 2048 ? 97 + ((x >>> 16) % 8) : (x >>> 24) & (i % 3 === 0 ? 255 : 7)
  }
  return b
}

function median(fn, runs = 7) {
  const t = []
  for (let r = 0; r < runs; r++) {
    const s = process.hrtime.bigint()
    for (let i = 0; i < pages.length; i++) fn(pages[i], i)
    t.push(Number(process.hrtime.bigint() - s) / 1e3 / pages.length)
  }
  t.sort((a, b) => a - b)
  return t[runs >> 1]
}

const dst = new Uint8Array(4096 + 64)
const out = new Uint8Array(4096)
const tiny = new Uint8Array(16).fill(65)
const rows = []
for (const level of [1, 6]) {
  const d = deflate({ level })
  const comp = pages.map((p) => deflateSync(p, { level }))
  rows.push({
    level,
    'fixed µs (16 B, fflate default)': median(() => deflateSync(tiny, { level })).toFixed(1),
    'fixed µs (16 B, mem 0)': median(() => deflateSync(tiny, { level, mem: 0 })).toFixed(1),
    'compress µs/page fflate default': median((p) => deflateSync(p, { level })).toFixed(1),
    'compress µs/page driver': median((p) => d.compress(p, dst)).toFixed(1),
    'inflate µs/page fflate default (allocates)': median((_, i) => inflateSync(comp[i])).toFixed(1),
    'decompress µs/page driver (out buffer)': median((_, i) => d.decompress(comp[i], out)).toFixed(1),
  })
}
console.table(rows)
