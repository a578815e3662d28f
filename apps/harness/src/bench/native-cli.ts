import { spawnSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type Compressor, PAGE_SIZE } from '@zswap/core'

/**
 * The native command-line baselines of `bench compressors` and the driver
 * timed their way: `lz4 -b` / `zstd -b` (they benchmark 4 KiB blocks
 * themselves) and `lzop` (it cannot: timed from outside, on its own blocks).
 */

/** Where one subject's compressed blocks go: block i at `i * slotBytes`, `lengths[i]` bytes. */
export interface Slots {
  arena: Uint8Array
  lengths: Int32Array
  /** Bytes reserved per block: twice the input block, so incompressible blocks are measured too. */
  slotBytes: number
}

export function slots(blocks: number, blockBytes = PAGE_SIZE): Slots {
  const slotBytes = 2 * blockBytes
  return { arena: new Uint8Array(blocks * slotBytes), lengths: new Int32Array(blocks), slotBytes }
}

export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000)
}

/**
 * The driver's compress and decompress MB/s timed the way `lz4 -b -i1`
 * times itself (lz4 1.9 bench.c): one pass over all blocks, then passes for
 * about `ms` milliseconds timed as one block; the faster of the two. Under
 * load from other processes both sides then see the same kind of window.
 */
export function cliLikePass(
  c: Compressor,
  blocks: Uint8Array[],
  out: Slots,
  ms: number,
): { c: number; d: number } {
  const bytes = blocks.reduce((n, b) => n + b.length, 0)
  const page = new Uint8Array(blocks.reduce((n, b) => Math.max(n, b.length), 0))
  const { arena, lengths, slotBytes } = out
  // views made once, so that the timed loops hold nothing but the driver's calls, as the CLI's do
  const dsts = blocks.map((_, i) => arena.subarray(i * slotBytes, (i + 1) * slotBytes))
  const compressAll = () => {
    for (let i = 0; i < blocks.length; i++) lengths[i] = c.compress(blocks[i], dsts[i])
  }
  compressAll()
  const packed = dsts.map((d, i) => d.subarray(0, lengths[i]))
  const decompressAll = () => {
    for (let i = 0; i < packed.length; i++) c.decompress(packed[i], page)
  }
  const best = (pass: () => void): number => {
    let t0 = performance.now()
    pass()
    const single = performance.now() - t0
    const loops = Math.max(1, Math.round(ms / Math.max(single, 0.001)))
    t0 = performance.now()
    for (let k = 0; k < loops; k++) pass()
    return Math.min(single, (performance.now() - t0) / loops)
  }
  const compressMs = best(compressAll)
  const decompressMs = best(decompressAll)
  return { c: mbps(bytes, compressMs), d: mbps(bytes, decompressMs) }
}

/** Runs the native CLI benchmark on a raw pages file; undefined when the tool is missing or fails. */
export function native(
  tool: 'lz4' | 'zstd',
  level: number,
  file: string,
  extra: readonly string[] = [],
): { ratio: number; c: number; d: number } | undefined {
  // lz4 prints its figures on stderr, zstd on stdout: read both
  const result = spawnSync(tool, [`-b${level}`, '-B4096', ...extra, file], {
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (result.error !== undefined) return undefined
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`
  return parseNative(text)
}

/**
 * Parses the final figures of `lz4 -b` / `zstd -b` output, which redraws one
 * status line with \r: `... 16777216 ->   8176277 (2.052), 486.8 MB/s ,1977.9 MB/s`
 * (zstd writes the ratio as `(x2.964)`).
 */
export function parseNative(text: string): { ratio: number; c: number; d: number } | undefined {
  const re = /(\d+)\s*->\s*(\d+)\s*\(x?([\d.]+)\)\s*,\s*([\d.]+)\s*MB\/s\s*,\s*([\d.]+)\s*MB\/s/g
  let last: RegExpExecArray | undefined
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m
  if (!last) return undefined
  return { ratio: Number(last[1]) / Number(last[2]), c: Number(last[4]), d: Number(last[5]) }
}

/** lzop's fixed block size (LZO_BLOCK_SIZE in lzop 1.04): it has no option to change it. */
export const LZOP_BLOCK_BYTES = 256 * 1024

/**
 * `lzop` on a whole raw pages file, timed from outside (it has no benchmark
 * mode and no block-size option). `lzop -1 -F`: LZO1X-1(15), liblzo2's
 * `lzo1x_1_15_compress`, the driver's function (lzop's default `-3` is
 * `lzo1x_1_compress`, with a larger dictionary), no checksums, on
 * its fixed 256 KiB blocks, output to /dev/null. Timed in CPU time (user +
 * system of the lzop processes, from bash's `times`), which a busy machine
 * disturbs far less than wall-clock time: `repeat` runs on the file minus
 * `repeat` runs on an empty file (process start-up and exit), per run.
 * Ratio: file bytes ÷ the .lzo file's bytes (header and 8 bytes per block
 * included). Undefined without lzop or bash.
 */
export function lzopBaseline(
  file: string,
  bytes: number,
  tmp: string,
  repeat = 5,
): { ratio: number; c: number; d: number } | undefined {
  const empty = join(tmp, 'empty.pages')
  writeFileSync(empty, new Uint8Array(0))
  const packed = `${file}.lzo`
  const emptyPacked = `${empty}.lzo`
  for (const [src, dst] of [
    [file, packed],
    [empty, emptyPacked],
  ]) {
    const made = spawnSync('lzop', ['-1', '-F', '-f', '-q', '-o', dst, src], { timeout: 120_000 })
    if (made.error !== undefined || made.status !== 0) return undefined
  }
  const c = lzopCpuMs(['-1', '-F', '-c', file], repeat) - lzopCpuMs(['-1', '-F', '-c', empty], repeat)
  const d = lzopCpuMs(['-d', '-F', '-c', packed], repeat) - lzopCpuMs(['-d', '-F', '-c', emptyPacked], repeat)
  if (!(c > 0 && d > 0)) return undefined
  return { ratio: bytes / statSync(packed).size, c: mbps(bytes, c), d: mbps(bytes, d) }
}

/** CPU milliseconds (user + system) of one `lzop args` run, averaged over `repeat` runs; NaN on failure. */
function lzopCpuMs(args: readonly string[], repeat: number): number {
  const script = `for i in $(seq ${repeat}); do lzop "$@" >/dev/null || exit 1; done; times`
  const r = spawnSync('bash', ['-c', script, 'bash', ...args], { encoding: 'utf8', timeout: 300_000 })
  if (r.status !== 0) return Number.NaN
  // `times`: the shell's user and system time, then its children's: "0m0.097s 0m0.026s"
  const children = r.stdout.trim().split('\n').at(-1) ?? ''
  const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000,
  )
  return parts.length === 2 ? (parts[0] + parts[1]) / repeat : Number.NaN
}

/**
 * The driver's compress and decompress MB/s in process CPU time: passes over
 * `blocks` for about `ms` milliseconds of CPU each way, the time of the
 * process (this thread and any other running meanwhile) divided by the passes.
 */
export function cpuPass(
  c: Compressor,
  blocks: Uint8Array[],
  out: Slots,
  ms: number,
): { c: number; d: number } {
  const bytes = blocks.reduce((n, b) => n + b.length, 0)
  const page = new Uint8Array(blocks.reduce((n, b) => Math.max(n, b.length), 0))
  const { arena, lengths, slotBytes } = out
  const dsts = blocks.map((_, i) => arena.subarray(i * slotBytes, (i + 1) * slotBytes))
  const compressAll = () => {
    for (let i = 0; i < blocks.length; i++) lengths[i] = c.compress(blocks[i], dsts[i])
  }
  compressAll()
  const packed = dsts.map((d, i) => d.subarray(0, lengths[i]))
  const decompressAll = () => {
    for (let i = 0; i < packed.length; i++) c.decompress(packed[i], page)
  }
  const cpuMsPerPass = (pass: () => void): number => {
    const start = process.cpuUsage()
    let passes = 0
    let used = 0
    while (passes === 0 || used < ms) {
      pass()
      passes++
      const u = process.cpuUsage(start)
      used = (u.user + u.system) / 1000
    }
    return used / passes
  }
  return { c: mbps(bytes, cpuMsPerPass(compressAll)), d: mbps(bytes, cpuMsPerPass(decompressAll)) }
}
