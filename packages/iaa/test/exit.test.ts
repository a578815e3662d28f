import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dist = new URL('../dist/index.js', import.meta.url).href

/** Runs an ES module script in a child node process; resolves its exit code, or 'hung'. */
function runChild(
  script: string,
  // Generous: a child node process with engines starts slowly on a busy machine.
  boundMs = 50_000,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({ code: 'hung', stdout, stderr })
    }, boundMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 'signal', stdout, stderr })
    })
  })
}

const jobsScript = `
  const page = (s) => { const p = new Uint8Array(4096); for (let i = 0; i < 4096; i++) p[i] = 97 + ((i * s) % 7); return p }
  const jobs = Array.from({ length: 8 }, (_, i) => ({ src: page(i + 1), dst: new Uint8Array(4096), length: 0, error: undefined }))
`

describe('process exit', () => {
  it.each(['irq', 'async', 'sync'] as const)('exits after close() (%s mode)', async (mode) => {
    const { code, stdout, stderr } = await runChild(`
      import { iaa } from '${dist}'
      ${jobsScript}
      const device = iaa({ engines: 2, mode: '${mode}' })
      for (let r = 0; r < 20; r++) await device.compressBatch(jobs)
      const back = jobs.map((j) => ({ src: j.dst.subarray(0, j.length), dst: new Uint8Array(4096), length: 0, error: undefined }))
      await device.decompressBatch(back)
      await device.close()
      console.log(back.every((b, i) => b.length === 4096 && b.dst.every((v, k) => v === jobs[i].src[k])) ? 'ok' : 'bad')
    `)
    expect(stderr).toBe('')
    expect(stdout.trim()).toBe('ok')
    expect(code).toBe(0)
  })

  it('exits after close() with jobs still in flight and an engine stuck in a delay', async () => {
    const { code, stdout, stderr } = await runChild(`
      import { iaa } from '${dist}'
      ${jobsScript}
      const device = iaa({ engines: 1, jobTimeoutMs: 100, faults: { delayJobs: { count: 1, ms: 60000 } } })
      const done = device.compressBatch(jobs)
      await device.close()
      await done
      console.log(jobs.every((j) => j.error === undefined && j.length > 0) ? 'ok' : 'bad')
    `)
    expect(stderr).toBe('')
    expect(stdout.trim()).toBe('ok')
    expect(code).toBe(0)
  })

  it('does not keep the process alive while idle, even without close()', async () => {
    const { code, stdout } = await runChild(`
      import { iaa } from '${dist}'
      ${jobsScript}
      const device = iaa({ engines: 2 })
      await device.compressBatch(jobs)
      console.log(jobs.every((j) => j.length > 0) ? 'ok' : 'bad')
    `)
    expect(stdout.trim()).toBe('ok')
    expect(code).toBe(0)
  })

  it('keeps the process alive while a batch is in flight', async () => {
    // Without a ref while busy, node would exit with code 13 (unsettled top-level await).
    const { code, stdout } = await runChild(`
      import { iaa } from '${dist}'
      ${jobsScript}
      const device = iaa({ engines: 1, faults: { delayJobs: { count: 1, ms: 300 } }, jobTimeoutMs: 10000 })
      await device.compressBatch(jobs)
      console.log(jobs.every((j) => j.length > 0) ? 'ok' : 'bad')
    `)
    expect(stdout.trim()).toBe('ok')
    expect(code).toBe(0)
  })
})
