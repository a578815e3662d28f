import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

// The suites must fail on broken drivers, and for the right reason: run them on the
// deliberately broken drivers of fixtures/broken-drivers.fixture.ts in a separate
// vitest process and check which tests failed.

interface Assertion {
  ancestorTitles: string[]
  title: string
  status: string
}

/** Only a hung run takes this long: about 10 s on a quiet 2-core machine, 30 s with both cores busy. */
const BUDGET_MS = 300_000

let failed: Map<string, Set<string>>
let passed: Map<string, number>

/** Runs the fixtures; resolves how it ended and the tail of its output, for the failure report. */
function runFixtures(outputFile: string): Promise<{ ended: string; ms: number; output: string }> {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
  const start = performance.now()
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        vitest,
        'run',
        '--config',
        'test/fixtures/vitest.fixture.config.ts',
        '--reporter=json',
        `--outputFile=${outputFile}`,
        // one line per test: the tail of the output shows where a run that hung was
        '--reporter=verbose',
      ],
      // its own process group, so a run past the budget is killed with its workers
      { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-65_536)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }, BUDGET_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const ms = Math.round(performance.now() - start)
      // The last 40 lines, each cut short (failure messages can hold whole pages).
      const tail = output
        .split('\n')
        .slice(-40)
        .map((line) => (line.length > 200 ? `${line.slice(0, 200)}…` : line))
        .join('\n')
      resolve({
        ended: signal ? `killed by ${signal} after ${ms} ms` : `exit code ${code}`,
        ms,
        output: tail,
      })
    })
  })
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zswap-conformance-'))
  const outputFile = join(dir, 'report.json')
  try {
    const run = await runFixtures(outputFile)
    let report: { testResults: { assertionResults: Assertion[] }[] }
    try {
      report = JSON.parse(readFileSync(outputFile, 'utf8'))
    } catch (error) {
      throw new Error(
        `the fixture run left no report (${run.ended}; budget ${BUDGET_MS} ms): ${String(error)}\n` +
          `--- last output of the fixture run ---\n${run.output}`,
      )
    }
    failed = new Map()
    passed = new Map()
    for (const a of report.testResults.flatMap((f) => f.assertionResults)) {
      const suite = a.ancestorTitles[a.ancestorTitles.length - 1]
      if (a.status === 'failed') failed.set(suite, (failed.get(suite) ?? new Set()).add(a.title))
      if (a.status === 'passed') passed.set(suite, (passed.get(suite) ?? 0) + 1)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, BUDGET_MS + 30_000)

function failures(suite: string): string[] {
  return [...(failed.get(suite) ?? [])]
}

describe('the suites catch broken drivers', () => {
  it('a compressor that returns a wrong byte fails the round trips, also behind the cache', () => {
    const f = failures('compressor conformance: lossy')
    expect(f).toContain('round-trips sample page text-0')
    expect(f).toContain('round-trips sample page redis-mixed#514')
    expect(f).toContain('round-trips arbitrary inputs up to two pages (property)')
    expect(f).toContain('round-trips through the cache (createZswap store/load)')
    expect(passed.get('compressor conformance: lossy')).toBeGreaterThan(0)
  })

  it('a compressor that lets untyped errors escape fails the corruption tests', () => {
    const f = failures('compressor conformance: untyped')
    expect(f).toContain('rejects an empty compressed block with CorruptDataError')
    expect(f).toContain(
      'detects truncated blocks: CorruptDataError or a short length, never a wrong full page',
    )
  })

  it('a compressor that claims a checksum it lacks fails the strict bit-flip and garbage tests', () => {
    const f = failures('compressor conformance: fake-checksum')
    expect(f).toEqual(
      expect.arrayContaining([
        'handles bit-flipped blocks: typed errors only; no wrong page when the driver declares a checksum',
        'handles garbage input: typed errors only; always detected when the driver declares a checksum',
      ]),
    )
    expect(f.some((t) => t.startsWith('round-trips sample page'))).toBe(false)
  })

  it('a zpool that ignores double frees, or never fills up, fails exactly those tests', () => {
    expect(failures('zpool conformance: lenient')).toEqual([
      'rejects double free and foreign handles with typed errors, disturbing nothing',
    ])
    expect(failures('zpool conformance: boundless')).toEqual([
      'throws ZpoolFullError when its page budget is exhausted, with nothing else disturbed',
    ])
  })

  it('an accelerator that mixes up result slots fails the batch tests', () => {
    expect(failures('accelerator conformance: slot-swapper')).toContain(
      'runs batches of every size from 1 to maxBatch, results in the right slots',
    )
  })

  it('an accelerator that ignores DecompressJob.start fails the partial tests, and only those', () => {
    const f = failures('accelerator conformance: start-ignorer')
    expect(f).toContain('partial: loads every page (or quarter page) of an object on its own, in batches')
    expect(f).toContain(
      'partial: loads unaligned ranges, ranges cut short at the end, and whole jobs in one batch',
    )
    expect(f.every((title) => title.startsWith('partial: '))).toBe(true)
  })

  it('an accelerator that throws misuse synchronously fails exactly the misuse and close tests', () => {
    expect(failures('accelerator conformance: sync-thrower').sort()).toEqual([
      'close() settles work in flight, then rejects new batches with ClosedError',
      'rejects a batch larger than maxBatch and a bad count: a promise rejected with InvalidArgumentError',
    ])
  })

  it('a swap device that wraps offsets around fails the range test', () => {
    expect(failures('swap device conformance: wrapping')).toContain(
      'rejects out-of-range offsets with OutOfRangeError and leaves the device intact',
    )
  })
})
