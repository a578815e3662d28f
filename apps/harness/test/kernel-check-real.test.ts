import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, expect, it } from 'vitest'
import { helperPath } from '../src/kernel-check/helper.js'
import { KernelFs } from '../src/kernel-check/kernel-fs.js'
import { cliPath, ensureBuilt, node } from './helpers.js'

// The running kernel's zswap, for real, when this machine allows it. Other
// sessions and CI run tests in parallel: kernel-check itself serialises on
// /run/zswap-kernel-check.lock (flock), so this test waits for its turn.

const fs = new KernelFs('/')
const settings = () => ({
  params: ['enabled', 'compressor', 'max_pool_percent', 'shrinker_enabled', 'accept_threshold_percent'].map(
    (p) => `${p}=${fs.param(p)}`,
  ),
  swaps: readFileSync('/proc/swaps', 'utf8'),
  thp: fs.mthpSizes().map((kb) => `${kb}=${fs.choice(`${fs.thp}/hugepages-${kb}kB/enabled`)}`),
  debugfsMounted: readFileSync('/proc/mounts', 'utf8').includes(' debugfs '),
})

/** Why the real check cannot run here, or undefined when it can. */
function cannotRun(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux'
  if (process.geteuid?.() !== 0) return 'not root'
  if (!fs.exists(fs.zswapParams)) return 'no zswap in this kernel'
  if (!fs.cryptoNames().has('deflate')) return 'no deflate in /proc/crypto'
  if (!existsSync(helperPath())) return 'kcheck-helper not built (no C compiler)'
  const probe = spawnSync(helperPath(), ['deflate-sizes', '1', '6', '11', '8'], {
    input: new Uint8Array(4096),
  })
  if (probe.status !== 0) return 'kcheck-helper built without zlib'
  return undefined
}

beforeAll(() => ensureBuilt())

it('kernel-check on the bundled sample: the kernel and the emulation agree, and every setting is back', (ctx) => {
  const reason = cannotRun()
  if (reason !== undefined) {
    console.log(`kernel-check on the real kernel: skipped (${reason})`)
    return ctx.skip(reason)
  }
  const runs = [['--compressor', 'deflate']]
  // 64 KiB folios need a zram device to swap to whole (see the README)
  if (existsSync('/sys/class/zram-control') && fs.mthpSizes().includes(64))
    runs.push([...runs[0], '--mthp', '64'])
  for (const args of runs) {
    const before = settings()
    const r = node(cliPath, ['kernel-check', ...args])
    expect(settings()).toEqual(before)
    expect(r.stderr).toMatch(/restored \d+ setting/)
    expect(r.stdout).toMatch(/pool_total_size +[\d,]+ +[\d,]+ +0 +ok/)
    if (args.includes('--mthp')) expect(r.stdout).toMatch(/zswpout 64K folios +96 +96 +0 +ok/)
    expect(r.code).toBe(0)
  }
}, 600_000)

it('refuses cleanly without root: exit 2, says root is missing, changes nothing', () => {
  const before = process.geteuid?.() === 0 && fs.exists(fs.zswapParams) ? settings() : undefined
  // as root, the CLI runs as nobody (spawn's uid/gid); otherwise as this user
  const asRoot = process.geteuid?.() === 0
  const r = spawnSync(process.execPath, [cliPath, 'kernel-check'], {
    encoding: 'utf8',
    ...(asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/' } } : {}),
  })
  expect(r.stderr).toMatch(/missing:\n {2}- root \(running as uid \d+/)
  expect(r.stderr).toContain('nothing was changed')
  expect(r.status).toBe(2)
  if (before !== undefined) expect(settings()).toEqual(before)
})
