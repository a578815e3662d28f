import { MultiBar, Presets } from 'cli-progress'
import type { ProgressEvent } from '../compare.js'

/** Progress reporting of a comparison. */
export interface Progress {
  onProgress(event: ProgressEvent): void
  stop(): void
}

/**
 * One progress bar per stack and workload on stderr (cli-progress), or
 * nothing at all when `enabled` is false (not a TTY, or machine output).
 */
export function createProgress(enabled: boolean): Progress {
  if (!enabled) return { onProgress: () => {}, stop: () => {} }
  const multi = new MultiBar(
    {
      stream: process.stderr,
      format: ' {bar} {value}/{total} runs  {stack}  ·  {workload}',
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
    },
    Presets.shades_grey,
  )
  const bars = new Map<string, ReturnType<MultiBar['create']>>()
  return {
    onProgress(e) {
      const key = `${e.workload}\u0000${e.stack}`
      let bar = bars.get(key)
      if (bar === undefined) {
        bar = multi.create(e.total, 0, { stack: e.stack, workload: e.workload })
        bars.set(key, bar)
      }
      bar.update(e.done, { stack: e.stack, workload: e.workload })
    },
    stop() {
      multi.stop()
    },
  }
}
