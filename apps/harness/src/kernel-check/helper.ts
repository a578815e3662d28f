import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface, type Interface } from 'node:readline'
import { harnessRoot } from '../corpus.js'

/**
 * Path of the native memory helper: `ZSWAP_KCHECK_HELPER` when set, else
 * dist/native/kcheck-helper, built by the harness build with `cc`.
 */
export function helperPath(): string {
  return process.env.ZSWAP_KCHECK_HELPER ?? join(harnessRoot(), 'dist', 'native', 'kcheck-helper')
}

/** True when the helper binary is there. */
export function helperBuilt(path = helperPath()): boolean {
  return existsSync(path)
}

/** What the helper saw. */
export interface HelperResult {
  /** Pages still resident after the last MADV_PAGEOUT (0 when all went to swap). */
  readonly resident: number
  /** MADV_PAGEOUT rounds it took. */
  readonly rounds: number
  /** Pages read back different from what was written. */
  readonly mismatches: number
  /** The first mismatching page indices (up to 16). */
  readonly firstBad: number[]
}

/**
 * Runs the helper over `pages`: it copies them into anonymous memory, pages
 * them out, then `between` runs (the caller reads the kernel's counters),
 * then the helper reads every page back and compares.
 * `onChild` hands the child over so a signal handler can kill it.
 * @throws Error when the helper fails or says something unexpected
 */
export async function runHelper(
  helper: string,
  pages: Uint8Array,
  options: { thp: boolean; between: (paged: { resident: number; rounds: number }) => void | Promise<void> },
  onChild: (child: ChildProcess | undefined) => void = () => {},
): Promise<HelperResult> {
  const count = pages.length / 4096
  const child = spawn(helper, ['run', String(count), options.thp ? 'thp' : '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  onChild(child)
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve(code))
  })
  const lines: Interface = createInterface({ input: child.stdout })
  const it = lines[Symbol.asyncIterator]()
  const next = async (prefix: string): Promise<string[]> => {
    const r = await Promise.race([it.next(), exited.then(() => ({ done: true, value: undefined }))])
    if (r.done || r.value === undefined || !r.value.startsWith(`${prefix} `)) {
      const code = await exited
      throw new Error(`kcheck-helper exited ${code} before "${prefix}": ${stderr.trim() || 'no message'}`)
    }
    return r.value.split(' ').slice(1)
  }
  try {
    child.stdin.on('error', () => {}) // a helper that dies early is reported by next()
    child.stdin.write(pages)
    const [resident, rounds] = (await next('pagedout')).map(Number)
    await options.between({ resident, rounds })
    child.stdin.end('\n')
    const [bad, ...first] = (await next('checked')).map(Number)
    const code = await exited
    if (code !== 0) throw new Error(`kcheck-helper exited ${code}: ${stderr.trim()}`)
    return { resident, rounds, mismatches: bad, firstBad: first }
  } finally {
    lines.close()
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    onChild(undefined)
  }
}
