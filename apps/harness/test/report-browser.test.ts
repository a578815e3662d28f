/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PAGE_SIZE } from '@zswap/core'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliPath, ensureBuilt, node, root } from './helpers.js'

/** Debian's chromium package; never a browser download. `.ci/run` installs it when missing. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]
// Saved for a person to look at: under .bench-out (git-ignored) on every run, and over the README's
// docs/harness-report.png with UPDATE_SCREENSHOTS=1, so a test run leaves the tree clean.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(root, '..', '..', 'docs', 'harness-report.png')
    : join(root, '.bench-out', 'harness-report.png')

const dir = mkdtempSync(join(tmpdir(), 'harness-report-'))
beforeAll(ensureBuilt)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) {
  const message =
    `\n*** ${CHROMIUM} is missing: the HTML report is NOT checked in a browser. ` +
    'Install it with `apt-get install -y chromium` (CI does). ***\n'
  process.stderr.write(message)
  if (process.env.CI) throw new Error(message)
}

describe.skipIf(!haveChromium)('the HTML report in headless Chromium', () => {
  it('draws every chart (scatter, CDF, pressure, sweep) with no console error, and is readable offline', async () => {
    const html = join(dir, 'report.html')
    const corpus = join(dir, 'small.pages')
    // A small corpus of the sample's pages keeps the run short.
    const { readSample } = await import('../src/corpus.js')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(corpus, readSample().data.subarray(0, 384 * PAGE_SIZE))
    const r = node(cliPath, [
      '--corpus',
      corpus,
      '--stack',
      'lz4+zsmalloc',
      '--stack',
      'zstd-{1,3}+zbud',
      '--stack',
      'iaa(deflate,engines=1)+zsmalloc',
      '--workload',
      'replay(order=0)',
      '--workload',
      'pressure(streams=2,limit=0.3)',
      '--runs',
      '1',
      '--warmup',
      '0',
      '--html',
      html,
    ])
    expect(r.stderr).toMatch(/wrote .*report\.html/)
    expect(r.code).toBe(0)
    const text = readFileSync(html, 'utf8')
    expect(text).not.toMatch(/<script[^>]+src=/) // everything inlined
    expect(text).toMatch(/<table>/) // tables readable without JavaScript

    const profile = mkdtempSync(join(tmpdir(), 'harness-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      offline: true,
      viewport: { width: 1340, height: 900 },
    })
    try {
      const page = await context.newPage()
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text())
      })
      page.on('pageerror', (e) => errors.push(e.message))
      const requests: string[] = []
      page.on('request', (r) => requests.push(r.url()))
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' })
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].map((c) => {
          const ctx = c.getContext('2d')!
          const px = ctx.getImageData(0, 0, c.width, c.height).data
          let painted = 0
          for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) painted++
          return { title: c.previousElementSibling?.textContent ?? '', painted, pixels: px.length / 4 }
        }),
      )
      // 2 workloads × (scatter + CDF) + 1 pool-over-time + 1 sweep.
      expect(charts.map((c) => c.title.split(':')[0]).sort()).toEqual([
        'Compression ratio vs store MB/s',
        'Compression ratio vs store MB/s',
        'Load latency CDF per folio',
        'Load latency CDF per folio',
        'Pool size over time under pressure',
        'Sweep',
      ])
      for (const c of charts) expect(c.painted, c.title).toBeGreaterThan(c.pixels / 100)
      expect(errors).toEqual([])
      // Self-contained: the page fetched nothing but itself.
      expect(requests).toEqual([pathToFileURL(html).href])
      mkdirSync(join(SCREENSHOT, '..'), { recursive: true })
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
      process.stderr.write(`report screenshot: ${SCREENSHOT}\n`)
    } finally {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }, 300_000)
})
