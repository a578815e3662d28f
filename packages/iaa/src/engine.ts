// One engine of the emulated device: a worker thread that claims descriptors
// from its work queue, runs them, writes the completion record and signals
// the submitter once per batch (when it finishes the batch's last job).
import { parentPort, workerData } from 'node:worker_threads'
import { createCodec, type IaaAlgorithm } from './codec.js'
import { clearJobBit, DESC, DESC_FIELDS, type EngineData, OP, REG, RESULT, STATE } from './layout.js'

const data = workerData as EngineData
const { id, wq, wqFirst, wqSize, layout, verify } = data
const ctl = new Int32Array(data.ctl)
const staging = new Uint8Array(data.staging)
const codec = createCodec(data.algorithm as IaaAlgorithm, data.level, true, data.compressionMode)
const slot = layout.slotBytes
const doorbell = layout.doorbellBase + wq
const sleepers = layout.sleepersBase + wq
const running = STATE.RUNNING + id
let verifyScratch = new Uint8Array(slot)
let cursor = 0

/** Whether another descriptor of this WQ waits to be claimed. */
function pending(): boolean {
  for (let i = 0; i < wqSize; i++) {
    const d = wqFirst + ((cursor + i) % wqSize)
    if (Atomics.load(ctl, layout.descBase + d * DESC_FIELDS + DESC.STATE) === STATE.SUBMITTED) return true
  }
  return false
}

function claim(): number {
  for (let i = 0; i < wqSize; i++) {
    const d = wqFirst + ((cursor + i) % wqSize)
    const state = layout.descBase + d * DESC_FIELDS + DESC.STATE
    if (
      Atomics.load(ctl, state) === STATE.SUBMITTED &&
      Atomics.compareExchange(ctl, state, STATE.SUBMITTED, running) === STATE.SUBMITTED
    ) {
      cursor = (cursor + i + 1) % wqSize
      // Chain wake-up: the submitter wakes one engine per WQ; pass it on while work is left.
      if (Atomics.load(ctl, sleepers) > 0 && pending()) Atomics.notify(ctl, doorbell, 1)
      return d
    }
  }
  return -1
}

function injectFaults(): void {
  if (
    Atomics.load(ctl, REG.KILL_ENGINE) === id &&
    Atomics.load(ctl, REG.KILL_PHASE) === 0 &&
    Atomics.load(ctl, layout.engineJobsBase + id) >= Atomics.load(ctl, REG.KILL_AT)
  ) {
    // Die holding a claimed descriptor, mid-batch; the fault fires once.
    Atomics.store(ctl, REG.KILL_ENGINE, -1)
    process.exit(70)
  }
  if (Atomics.load(ctl, REG.DELAY_COUNT) > 0) {
    const target = Atomics.load(ctl, REG.DELAY_ENGINE)
    // Generation before taking a delay: a new delayJobs (count first, then generation) wakes us.
    const generation = Atomics.load(ctl, REG.SLEEP)
    if ((target < 0 || target === id) && Atomics.sub(ctl, REG.DELAY_COUNT, 1) > 0) {
      const ms = Atomics.load(ctl, REG.DELAY_MS)
      Atomics.wait(ctl, REG.SLEEP, generation, ms < 0 ? undefined : ms)
    }
  }
}

function run(d: number): number {
  const base = layout.descBase + d * DESC_FIELDS
  const srcOff = d * 2 * slot
  const src = staging.subarray(srcOff, srcOff + ctl[base + DESC.SRC_LEN])
  const dst = staging.subarray(srcOff + slot, srcOff + slot + ctl[base + DESC.DST_CAP])
  if (ctl[base + DESC.OP] === OP.DECOMPRESS) return codec.decompress(src, dst)
  const n = badOutput() ? corrupt(src, dst) : codec.compress(src, dst)
  if (n <= 0) return n
  if (!verify) return n
  // verify_compress: decompress what was just made and compare with the source.
  if (verifyScratch.length < src.length) verifyScratch = new Uint8Array(src.length)
  const check = verifyScratch.subarray(0, src.length)
  if (codec.decompress(dst.subarray(0, n), check) !== src.length) return RESULT.VERIFY
  for (let i = 0; i < src.length; i++) if (check[i] !== src[i]) return RESULT.VERIFY
  return n
}

/** Fault: whether this compress job's output is to be bad (the count is consumed). */
function badOutput(): boolean {
  return Atomics.load(ctl, REG.BAD_OUTPUT_COUNT) > 0 && Atomics.sub(ctl, REG.BAD_OUTPUT_COUNT, 1) > 0
}

/** Fault: compresses `src` into bad output (see IaaFaults.badOutput); returns its length. */
function corrupt(src: Uint8Array, dst: Uint8Array): number {
  if (Atomics.load(ctl, REG.BAD_OUTPUT_KIND) === 1 && src.length > 0) {
    // A well-formed block of the page's length whose content differs in one byte.
    const changed = src.slice()
    changed[src.length >> 1] ^= 0x5a
    return codec.compress(changed, dst)
  }
  const n = codec.compress(src, dst)
  if (n > 0) dst[n >> 1] ^= 0x5a
  return n
}

function complete(d: number, result: number): void {
  const base = layout.descBase + d * DESC_FIELDS
  // Read while the descriptor is still ours: once DONE_BY is published the submitter may reuse it.
  const record = layout.batchBase + ctl[base + DESC.BATCH]
  const index = ctl[base + DESC.INDEX]
  const gen = ctl[base + DESC.GEN]
  ctl[base + DESC.RESULT] = result
  if (Atomics.compareExchange(ctl, base + DESC.STATE, running, STATE.DONE_BY + id) === running) {
    if (
      Atomics.load(ctl, REG.KILL_ENGINE) === id &&
      Atomics.load(ctl, REG.KILL_PHASE) === 1 &&
      Atomics.load(ctl, layout.engineJobsBase + id) > Atomics.load(ctl, REG.KILL_AT)
    ) {
      // Die between completing the job and counting it in its batch's completion record.
      Atomics.store(ctl, REG.KILL_ENGINE, -1)
      process.exit(70)
    }
    // Once per batch, unless the submitter waits for free descriptors (back-pressure).
    if (!clearJobBit(ctl, record, gen, index) && Atomics.load(ctl, REG.WANT_SLOTS) === 0) return
  } else {
    // The submitter took this job over (timeout); hand the slot back.
    Atomics.store(ctl, base + DESC.STATE, STATE.RELEASED)
  }
  Atomics.add(ctl, REG.COMPLETIONS, 1)
  Atomics.notify(ctl, REG.COMPLETIONS)
}

// One message per engine start (never per job): the codec is loaded, descriptors can flow.
parentPort?.postMessage('ready')

const spinMs = data.spinUs / 1000

/** Polls the doorbell for up to spinUs: with batches in flight the next one is usually microseconds away. */
function spin(bell: number): boolean {
  if (spinMs <= 0) return false
  const until = performance.now() + spinMs
  do {
    if (Atomics.load(ctl, doorbell) !== bell) return true
  } while (performance.now() < until)
  return false
}

for (;;) {
  // Read the doorbell before scanning so a ring between scan and wait is not lost.
  const bell = Atomics.load(ctl, doorbell)
  if (Atomics.load(ctl, REG.SHUTDOWN) !== 0) break
  const d = Atomics.load(ctl, REG.PAUSED) === 0 ? claim() : -1
  if (d < 0) {
    if (spin(bell)) continue
    // Announce the sleep so the submitter only pays for a notify when someone sleeps.
    Atomics.add(ctl, sleepers, 1)
    Atomics.wait(ctl, doorbell, bell)
    Atomics.sub(ctl, sleepers, 1)
    continue
  }
  injectFaults()
  const result = run(d)
  // Count before completing, so the submitter never sees a job its engine has not counted.
  Atomics.add(ctl, layout.engineJobsBase + id, 1)
  complete(d, result)
}
