import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { PAGE_SIZE } from '@zswap/core'
import { loadCorpus } from '../corpus.js'
import { type CaptureSummary, capture } from './capture.js'

/** Pages of known content the self-test's child holds. */
export const SELF_TEST_PAGES = 64
const MARKER = 'zswap-capture-self-test'

/** The content of the child's page i: a marker line, then a pattern of i. */
export function selfTestPage(i: number): Buffer {
  const page = Buffer.alloc(PAGE_SIZE)
  for (let b = 0; b < PAGE_SIZE; b++) page[b] = (b * 31 + i * 7) & 0xff
  page.write(`${MARKER}:${i}:`, 0, 'latin1')
  return page
}

// The child: builds the same pages as selfTestPage (same formula), holds them, says ready.
const CHILD = `
const held = Buffer.alloc(${SELF_TEST_PAGES} * ${PAGE_SIZE})
for (let i = 0; i < ${SELF_TEST_PAGES}; i++) {
  const page = held.subarray(i * ${PAGE_SIZE}, (i + 1) * ${PAGE_SIZE})
  for (let b = 0; b < ${PAGE_SIZE}; b++) page[b] = (b * 31 + i * 7) & 0xff
  page.write('${MARKER}:' + i + ':', 0, 'latin1')
}
process.stdout.write('ready\\n')
process.stdin.on('data', () => {})
process.stdin.on('end', () => { globalThis.keep = held; process.exit(0) })
`

/** What the self-test found. */
export interface SelfTestResult {
  readonly summary: CaptureSummary
  /** Known pages found whole (4096 bytes in a row, at any offset), of SELF_TEST_PAGES. */
  readonly found: number
  /** Their order in the capture matched the child's addresses (ascending). */
  readonly inOrder: boolean
  readonly ok: boolean
}

/**
 * Spawns a Node child that holds {@link SELF_TEST_PAGES} known pages,
 * captures it, reads the corpus back and checks that every known page is in
 * it, whole and in address order.
 */
export async function captureSelfTest(
  onProgress?: (done: number, total: number) => void,
): Promise<SelfTestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'zswap-capture-'))
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] })
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', (code) => reject(new Error(`self-test child exited ${code} before it was ready`)))
      createInterface({ input: child.stdout }).once('line', () => resolve())
    })
    child.removeAllListeners('exit')
    const out = join(dir, 'self-test.pages.zst')
    const summary = await capture({ pid: child.pid!, out, ...(onProgress ? { onProgress } : {}) })
    const corpus = await loadCorpus(out, Number.MAX_SAFE_INTEGER)
    // the child's buffer need not start on a page boundary: look for each page's bytes anywhere
    const bytes = Buffer.from(corpus.data.buffer, corpus.data.byteOffset, corpus.data.length)
    const at: number[] = []
    for (let i = 0; i < SELF_TEST_PAGES; i++) at.push(bytes.indexOf(selfTestPage(i)))
    const seen = at.filter((x) => x >= 0)
    const found = seen.length
    const inOrder = seen.every((v, k) => k === 0 || v > seen[k - 1])
    return { summary, found, inOrder, ok: found === SELF_TEST_PAGES && inOrder && summary.pages >= found }
  } finally {
    child.stdin.end()
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
