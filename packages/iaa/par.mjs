import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import zlib from 'node:zlib'
import { deflateSync } from 'fflate'

if (isMainThread) {
  for (const kind of ['compute', 'fflate', 'zlib'])
    for (const n of [1, 2]) {
      const t = performance.now()
      await Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise((res) => {
              const w = new Worker(new URL(import.meta.url), { workerData: { n: 2048 / n, kind } })
              w.on('message', res)
            }),
        ),
      )
      console.log(kind, n, 'threads', (performance.now() - t).toFixed(0), 'ms')
    }
} else {
  const p = new Uint8Array(4096).map((_, i) => (i * 7 + (i >> 5)) % 61)
  const { n, kind } = workerData
  let x = 0
  for (let i = 0; i < n; i++) {
    if (kind === 'compute') {
      for (let k = 0; k < 200000; k++) x = (x * 31 + k) | 0
    } else if (kind === 'fflate') deflateSync(p, { level: 1, mem: 0 })
    else zlib.deflateRawSync(p, { level: 1 })
  }
  parentPort.postMessage(x)
}
