import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSample } from '../src/corpus.js'
import { benchPath, cliPath, ensureBuilt, node, repoRoot } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-cli-'))
beforeAll(ensureBuilt)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A small corpus file of the sample's first pages. */
function smallCorpus(name: string, pages: number): string {
  const path = join(dir, `${name}.pages`)
  writeFileSync(path, readSample().data.subarray(0, pages * PAGE_SIZE))
  return path
}

const QUICK = ['--runs', '1', '--warmup', '0']
const ORDER0 = ['--folio-order', '0']

describe('zswap-harness CLI', () => {
  it('with no arguments compares lz4, zstd and IAA over zsmalloc and zbud, 4 KiB and 64 KiB folios, and writes the report', () => {
    const cwd = mkdtempSync(join(dir, 'default-'))
    const r = node(cliPath, [], { cwd })
    expect(r.code, r.stderr).toBe(0)
    for (const stack of [
      'memcpy',
      'lz4+zsmalloc',
      'lz4+zbud',
      'zstd+zsmalloc',
      'zstd+zbud',
      'iaa(mode=sync,model=spr)+zsmalloc (modeled)',
      'iaa(mode=sync,model=spr)+zsmalloc (emulation, measured)',
      'iaa(mode=sync,model=spr)+zbud (modeled)',
      'iaa(mode=sync,model=spr)+zbud (emulation, measured)',
    ]) {
      expect(r.stdout).toContain(` ${stack} `)
    }
    expect(r.stdout).toContain('replay(order=0) on sample')
    expect(r.stdout).toContain('replay(order=4) on sample')
    expect(r.stdout).toMatch(/medians of 3 runs each \(after 1 warm-up\)/)
    expect(r.stdout).toContain('◆')
    expect(r.stdout).not.toContain('FAILED')
    const report = join(cwd, 'harness-report.html')
    expect(r.stderr).toContain(`wrote the report to ${report}`)
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/)
  }, 600_000)

  it('--stack lzo+zsmalloc --json runs the kernel default compressor (liblzo2) and checks every page', () => {
    const corpus = smallCorpus('lzo', 128)
    const r = node(cliPath, ['--json', '--stack', 'lzo+zsmalloc', '--corpus', corpus, ...ORDER0, ...QUICK])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.results.map((x: { stack: string }) => x.stack)).toEqual(['memcpy', 'lzo+zsmalloc'])
    const lzo = doc.results[1]
    expect(lzo.integrity.ok).toBe(true)
    expect(lzo.backend).toBe('liblzo2')
    expect(lzo.storedPages).toBeGreaterThan(0)
  })

  it('--json prints one document of schema version 2, and writes no HTML unless asked', () => {
    const cwd = mkdtempSync(join(dir, 'json-'))
    const r = node(
      cliPath,
      [
        '--json',
        '--stack',
        'lz4+zbud',
        '--stack',
        'zstd-3+zsmalloc',
        '--folio-order',
        '1',
        '--runs',
        '2',
        '--warmup',
        '0',
      ],
      { cwd },
    )
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.schemaVersion).toBe(2)
    expect(doc.tool.name).toBe('zswap-harness')
    expect(doc.settings).toMatchObject({ runs: 2, warmup: 0, maxPages: 65536, scaleObjects: 200_000 })
    expect(doc.workloads).toEqual([
      {
        id: 'replay(order=1) on sample',
        kind: 'replay',
        spec: 'replay(order=1)',
        corpus: 'sample',
        pages: 1536,
        folios: 768,
      },
    ])
    expect(doc.results.map((x: { stack: string }) => x.stack)).toEqual([
      'memcpy',
      'lz4+zbud',
      'zstd-3+zsmalloc',
    ])
    for (const res of doc.results) {
      expect(res).toMatchObject({ medianOf: 2, workload: 'replay(order=1) on sample', pages: 1536 })
      expect(res.integrity.ok).toBe(true)
      for (const k of ['p50Us', 'p90Us', 'p99Us', 'maxUs']) expect(res.load[k]).toBeGreaterThan(0)
      expect(res.loadCdf.length).toBeGreaterThan(2)
      expect(res.storeMBps).toBeGreaterThan(0)
      expect(res.cpuMs).toBeGreaterThanOrEqual(0)
      expect(res.peakRssBytes).toBeGreaterThan(1 << 20)
      if (res.baseline) continue
      expect(res.counters['zswpout.8K']).toBe(res.storedPages / 2)
      // a gauge, as it was with everything stored; zero-mapped pages are stored outside zswap
      expect(res.counters.stored_pages).toBe(res.storedPages - res.zeroPages)
      expect(res.scaleObjects).toBeGreaterThanOrEqual(200_000)
      expect(res.effectiveRatioAtScale).toBeGreaterThan(1)
      expect(res.ratio).toBeGreaterThan(1.5)
      expect(res.effectiveRatio).toBeGreaterThan(1)
    }
    expect(doc.results.filter((x: { pareto: boolean }) => x.pareto).length).toBeGreaterThan(0)
    expect(existsSync(join(cwd, 'harness-report.html'))).toBe(false)
  }, 300_000)

  it('--csv prints a header and one row per stack; --markdown prints a table', () => {
    const corpus = smallCorpus('csv', 64)
    const csv = node(cliPath, ['--csv', '--corpus', corpus, '--stack', 'lz4+zbud', ...ORDER0, ...QUICK])
    expect(csv.code, csv.stderr).toBe(0)
    const lines = csv.stdout.trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^workload,stack,baseline,medianOf,pareto,.*counter:reject_compress_poor/)
    expect(lines[2]).toMatch(/^replay\(order=0\) on csv,lz4\+zbud,false,1,true,/)
    const md = node(cliPath, ['--markdown', '--corpus', corpus, '--stack', 'lz4+zbud', ...ORDER0, ...QUICK])
    expect(md.code, md.stderr).toBe(0)
    expect(md.stdout).toMatch(/^\*\*replay\(order=0\) on csv\*\*/)
    expect(md.stdout).toMatch(/\| stack \| store MB\/s \|/)
    expect(md.stdout).toMatch(/\| ◆ lz4\+zbud \|/)
    expect(md.stdout).toMatch(/\| eff\. ratio \| eff\. ratio at scale \|/)
    expect(md.stdout).toContain('until 200,000 objects')
    const off = node(cliPath, [
      '--markdown',
      '--corpus',
      corpus,
      '--stack',
      'lz4+zbud',
      '--scale-objects',
      '0',
      ...ORDER0,
      ...QUICK,
    ])
    expect(off.code, off.stderr).toBe(0)
    expect(off.stdout).not.toContain('at scale')
  }, 300_000)

  it('reads several --corpus files, or ZSWAP_CORPUS', () => {
    const a = smallCorpus('alpha', 32)
    const b = smallCorpus('beta', 48)
    const r = node(cliPath, [
      '--json',
      '--corpus',
      a,
      '--corpus',
      b,
      '--stack',
      'lz4+zbud',
      ...ORDER0,
      ...QUICK,
    ])
    expect(r.code, r.stderr).toBe(0)
    const ids = JSON.parse(r.stdout).workloads.map((w: { id: string; pages: number }) => `${w.id}:${w.pages}`)
    expect(ids).toEqual(['replay(order=0) on alpha:32', 'replay(order=0) on beta:48'])
    const env = node(cliPath, ['--json', '--stack', 'lz4+zbud', ...QUICK], { env: { ZSWAP_CORPUS: b } })
    expect(env.code, env.stderr).toBe(0)
    expect(JSON.parse(env.stdout).workloads[0].corpus).toBe('beta')
  }, 300_000)

  it('cuts an endless input at --max-pages instead of eating memory (/dev/zero)', () => {
    const r = node(cliPath, [
      '--json',
      '--corpus',
      '/dev/zero',
      '--max-pages',
      '64',
      '--stack',
      'lz4+zbud',
      ...QUICK,
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('/dev/zero: read the first 64 pages (--max-pages)')
    const doc = JSON.parse(r.stdout)
    expect(doc.workloads[0].pages).toBe(64)
    expect(doc.settings.maxPages).toBe(64)
  }, 120_000)

  it('runs synthetic, pressure and sweep workloads in one command', () => {
    const r = node(cliPath, [
      '--json',
      '--corpus',
      smallCorpus('pressure', 256),
      '--stack',
      'zstd-{1,3}+zbud',
      '--workload',
      'synthetic(pages=128,ratio=4,zero=0.25,same=0.25)',
      '--workload',
      'pressure(streams=3,limit=0.2,readahead=4)',
      '--no-baseline',
      ...QUICK,
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.sweeps).toEqual([
      { spec: 'zstd-{1,3}+zbud', values: ['1', '3'], stacks: ['zstd-1+zbud', 'zstd-3+zbud'] },
    ])
    const pressure = doc.results.filter((x: { workload: string }) => x.workload.startsWith('pressure'))
    expect(pressure).toHaveLength(2)
    for (const p of pressure) {
      expect(p.integrity.ok).toBe(true)
      expect(p.pressure.writtenBack).toBeGreaterThan(0)
      expect(p.pressure.pagesFromSwapFile).toBeGreaterThanOrEqual(p.pressure.writtenBack)
      expect(p.pressure.poolTimeline.length).toBeGreaterThan(2)
      expect(p.counters.pool_limit_hit).toBeGreaterThan(0)
      expect(Object.keys(p.pressure.rejects)).toContain('reject_reclaim_fail')
    }
    const synthetic = doc.results.filter((x: { workload: string }) => x.workload.startsWith('synthetic'))
    expect(synthetic.every((x: { integrity: { ok: boolean } }) => x.integrity.ok)).toBe(true)
  }, 300_000)

  it('exits 1 when a loaded page differs from the stored page, naming stack, workload and offset', () => {
    const r = node(cliPath, ['--inject-fault', 'flip', '--json', '--stack', 'lz4+zbud', ...QUICK])
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout)
    expect(doc.results[1].integrity.ok).toBe(false)
    expect(r.stderr).toMatch(/integrity check failed/)
    expect(r.stderr).toMatch(
      /lz4\+zbud on replay\(order=0\) on sample: \d+ loaded pages differ .*first wrong page at page \d+ \(byte offset \d+\)/,
    )
  }, 120_000)

  it('exits 1 when a stored page fails to load', () => {
    const r = node(cliPath, ['--inject-fault', 'corrupt', '--stack', 'lz4+zbud', '--no-html', ...QUICK])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAILED/)
    expect(r.stderr).toMatch(/stored folios failed to load/)
  }, 120_000)

  it('reports every usage mistake with exit 2 and one line, never a stack trace', () => {
    const missing = join(dir, 'nope.pages')
    const tiny = smallCorpus('tiny', 8)
    const ragged = join(dir, 'ragged.pages')
    writeFileSync(ragged, 'abc')
    const notZstd = join(dir, 'not.pages.zst')
    writeFileSync(notZstd, 'not zstd at all')
    const cases: [string[], RegExp][] = [
      [['--corpus', ''], /--corpus needs a non-empty FILE, got ''/],
      [['--folio-order', ''], /--folio-order must be an integer in 0\.\.9, got ''/],
      [['--folio-order', '0x2'], /--folio-order must be an integer in 0\.\.9, got '0x2'/],
      [['--runs', '1e0'], /--runs must be an integer in 1\.\.1000, got '1e0'/],
      [['--runs', '-1'], /--runs must be an integer in 1\.\.1000, got '-1'/],
      [['--warmup', '-3'], /--warmup must be an integer in 0\.\.1000, got '-3'/],
      [['--max-pages', '0'], /--max-pages must be an integer in 1\.\./],
      [['--scale-objects', '-5'], /--scale-objects must be an integer in 0\.\.10000000, got '-5'/],
      [['--folio-order', '10'], /--folio-order must be an integer in 0\.\.9, got '10'/],
      [['--runs'], /--runs needs a value/],
      [['--runs', '0'], /--runs must be/],
      [
        ['--folio-ordr', '2'],
        /unknown flag --folio-ordr \(did you mean --folio-order\?\); valid flags: --stack, /,
      ],
      [['--folioOrder', '2'], /unknown flag --folioOrder .*valid flags: .*--folio-order/],
      [['--bogus'], /unknown flag --bogus; valid flags: --stack, --workload, --corpus, --max-pages/],
      [['stray'], /unexpected argument "stray"/],
      [['--json=yes'], /--json takes no value/],
      [['--json', '--csv'], /give one of --json, --csv, --markdown/],
      [['--corpus', missing], /cannot read corpus .*nope\.pages/],
      [['--corpus', dir], /cannot read corpus .*EISDIR/],
      [['--corpus', ragged], /ragged\.pages is 3 bytes, not a multiple of the 4096-byte page size/],
      [['--corpus', notZstd], /not\.pages\.zst is not a valid zstd file/],
      [
        ['--compressor', 'snappy'],
        /unknown compressor or accelerator snappy; valid: lz4, zstd, deflate, lzo, lzo_rle, iaa/,
      ],
      [['--stack', 'lz4+zfoo'], /unknown zpool zfoo; valid: zsmalloc, zbud, z3fold/],
      [['--stack', 'zstd(lvl=3)+zbud'], /zstd has no parameter lvl; valid: level, checksum/],
      [['--stack', 'zstd-99+zbud'], /bad stack "zstd-99\+zbud": .*level/],
      [['--stack', 'iaa(gzip)+zsmalloc'], /iaa algorithm must be one of deflate, lz4, zstd, noop, got gzip/],
      [['--stack', 'iaa(deflate,engines=0)'], /engines must be an integer/],
      [['--stack', 'lz4+zbud@64k'], /zbud holds objects of at most \d+ bytes; @64k needs 65536/],
      [['--stack', 'lz4+z3fold@16k'], /z3fold holds objects of at most \d+ bytes; @16k needs 16384/],
      [['--stack', 'lz4+zsmalloc@8k'], /object size must be 4k, 16k or 64k, got 8k/],
      [['--stack', 'lz4+zbud[maxPool=3]'], /unknown cache parameter maxPool; valid: maxPoolPercent/],
      [['--stack', 'lz4+zbud[maxPoolPercent=200]'], /maxPoolPercent/],
      [['--stack', 'lz4+'], /expected a name, found the end/],
      [['--stack', 'zstd-{1,3}+zbud{a,b}'], /one \{\.\.\.\} group/],
      [['--workload', 'fuzz'], /unknown workload fuzz; valid: replay, synthetic, pressure/],
      [['--workload', 'pressure(streams=x)'], /streams must be an integer, got x/],
      [['--workload', 'replay(mix=0:1/12:1)'], /mix is order:share/],
      [
        ['--workload', 'replay(order=2)', '--folio-order', '1'],
        /give --workload, or --folio-order, not both/,
      ],
      [
        ['--corpus', tiny, '--folio-order', '4'],
        /tiny has 8 pages, fewer than one folio of order 4 \(16 pages\)/,
      ],
      [['--inject-fault', 'melt'], /--inject-fault must be one of flip, corrupt/],
      [['--config', join(dir, 'none.config.mjs')], /config file .* does not exist/],
    ]
    for (const [args, message] of cases) {
      const r = node(cliPath, ['--no-html', ...args])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(message)
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe('')
    }
  }, 300_000)

  it('--help and --list-drivers print and exit 0', () => {
    const help = node(cliPath, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/--max-pages N\s+Read at most N pages of each corpus \(default 65536/)
    const list = node(cliPath, ['--list-drivers'])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/accelerator\s+iaa/)
    expect(list.stdout).toMatch(/zpool\s+zsmalloc/)
  })

  it('takes stacks, workloads and outputs from a config file (.mjs or .ts), and flags override it', () => {
    const cwd = mkdtempSync(join(dir, 'config-'))
    const corpus = smallCorpus('cfg', 64)
    writeFileSync(
      join(cwd, 'zswap-harness.config.ts'),
      `const stacks: string[] = ['lz4+zbud']\n` +
        `export default { stacks, workloads: ['replay(order=2)'], corpora: [${JSON.stringify(corpus)}], ` +
        `runs: 1, warmup: 0, output: { html: false, json: 'out.json' } }\n`,
    )
    const r = node(cliPath, ['--no-baseline'], { cwd })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('lz4+zbud')
    const doc = JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8'))
    expect(doc.results.map((x: { stack: string }) => x.stack)).toEqual(['lz4+zbud'])
    expect(doc.workloads[0].id).toBe('replay(order=2) on cfg')
    expect(existsSync(join(cwd, 'harness-report.html'))).toBe(false)
    const over = node(cliPath, ['--stack', 'zstd+zbud', '--json', '--no-baseline'], { cwd })
    expect(over.code, over.stderr).toBe(0)
    expect(JSON.parse(over.stdout).results.map((x: { stack: string }) => x.stack)).toEqual(['zstd+zbud'])

    const bad = mkdtempSync(join(dir, 'config-bad-'))
    writeFileSync(join(bad, 'zswap-harness.config.mjs'), 'export default { stack: ["lz4"] }\n')
    const b = node(cliPath, [], { cwd: bad })
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/unknown field stack; valid: stacks, workloads, corpora/)
  }, 300_000)

  it('composes a third-party driver named in a config file (examples/brotli)', () => {
    const r = node(cliPath, [
      '--config',
      'examples/brotli.config.mjs',
      '--json',
      '--workload',
      'replay(order=0)',
      '--corpus',
      smallCorpus('br', 64),
      ...QUICK,
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout)
    const brotli = doc.results.filter((x: { stack: string }) => x.stack.startsWith('brotli'))
    expect(brotli.map((x: { stack: string }) => x.stack)).toEqual([
      'brotli(quality=1)+zsmalloc',
      'brotli(quality=5)+zsmalloc',
    ])
    for (const x of brotli) expect(x.integrity.ok).toBe(true)
    const unknown = node(cliPath, ['--config', 'examples/brotli.config.mjs', '--stack', 'brotli(level=3)'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/brotli has no parameter level; valid: quality/)
  }, 300_000)

  it('`pnpm harness --json` prints exactly one JSON document (build chatter goes to stderr)', () => {
    const r = spawnSync(
      'pnpm',
      [
        'harness',
        '--json',
        '--stack',
        'lz4+zbud',
        '--no-baseline',
        '--corpus',
        smallCorpus('pnpm', 32),
        ...QUICK,
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout.trimStart().startsWith('{')).toBe(true)
    expect(JSON.parse(r.stdout).schemaVersion).toBe(2)
  }, 600_000)
})

describe('bench runner', () => {
  it('lists the bench modules with no name, and exits 1 on an unknown one', () => {
    const list = node(benchPath, [])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/available benches: .*cache/)
    expect(list.stdout).not.toMatch(/util/)
    const unknown = node(benchPath, ['nope'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/unknown bench "nope"/)
    expect(node(benchPath, ['../cli']).code).toBe(1)
  })

  it('bench cache --json reports the ratios per corpus and overall', () => {
    const benchDir = join(dir, 'bench')
    mkdirSync(benchDir, { recursive: true })
    writeFileSync(join(benchDir, 'mini.pages'), readSample().data.subarray(0, 128 * PAGE_SIZE))
    const r = node(benchPath, ['cache', '--json', '--runs', '1', '--block-ms', '0', '--corpus-dir', benchDir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    for (const key of ['storeVsRaw', 'loadVsRaw', 'bytesPerEntry']) {
      expect(doc[key]).toBeGreaterThan(0)
    }
    expect(Object.keys(doc.cpu).sort()).toEqual(['loadVsRaw', 'storeVsRaw'])
    // against native lz4 when its CLI is installed, else null
    for (const key of ['storeVsNative', 'loadVsNative']) {
      expect(doc[key] === null || doc[key] > 0).toBe(true)
    }
    expect(doc.stack).toBe('lz4+zsmalloc')
    expect(['liblz4', 'lz4-napi']).toContain(doc.backend)
    expect(doc.runs).toBe(1)
    expect(doc.corpora.map((c: { name: string }) => c.name)).toContain('mini')
    const mini = doc.corpora.find((c: { name: string }) => c.name === 'mini')
    expect(mini.pages).toBe(128)
    expect(mini.storedPages).toBeGreaterThan(0)
    expect(mini.storedPages).toBeLessThanOrEqual(128)
    for (const key of ['driverStoreMBps', 'cacheStoreMBps', 'driverLoadMBps', 'cacheLoadMBps']) {
      expect(mini[key]).toBeGreaterThan(0)
    }
  })

  it('bench cache rejects bad flags', () => {
    expect(node(benchPath, ['cache', '--runs', 'x']).code).toBe(2)
    expect(node(benchPath, ['cache', '--wat']).code).toBe(2)
    expect(node(benchPath, ['cache', '--pages', '5']).code).toBe(2)
  })
})
