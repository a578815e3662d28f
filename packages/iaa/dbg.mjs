import { iaa } from './dist/index.js'

const device = iaa({
  engines: 2,
  mode: 'sync',
  jobTimeoutMs: 100,
  faults: { delayJobs: { count: 1, ms: 600 } },
})
await device.ready()
console.log('ready')
const jobs = Array.from({ length: 8 }, (_, i) => ({
  src: new Uint8Array(4096).fill(i + 1),
  dst: new Uint8Array(4096),
  length: 0,
  error: undefined,
}))
setTimeout(() => {
  console.log('HANG')
  process.exit(1)
}, 5000).unref()
const t = performance.now()
await device.compressBatch(jobs)
console.log(
  'first',
  performance.now() - t,
  JSON.stringify(device.stats().softwareFallbacks),
  JSON.stringify(device.stats().wqs.map((w) => w.depth)),
)
for (let i = 0; i < 200 && device.stats().wqs.some((w) => w.depth > 0); i++) {
  await new Promise((r) => setTimeout(r, 10))
  device.poll()
}
console.log('depth', JSON.stringify(device.stats().wqs.map((w) => w.depth)))
await device.compressBatch(jobs)
console.log('second')
await device.close()
