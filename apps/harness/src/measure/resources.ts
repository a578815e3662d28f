/** CPU time and memory of the process over one measured run. */
export interface ResourceUsage {
  /** User + system CPU time of the process (all threads, engine workers included), ms. */
  cpuMs: number
  /** Highest resident set size sampled during the run, bytes. */
  peakRssBytes: number
}

/**
 * Measures process CPU time between start and stop, and samples the RSS
 * whenever `sample()` is called (the run calls it every few hundred folios:
 * one syscall, no allocation per page).
 */
export class ResourceMeter {
  #cpu = process.cpuUsage()
  #peak = process.memoryUsage.rss()

  sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.#peak) this.#peak = rss
  }

  stop(): ResourceUsage {
    this.sample()
    const d = process.cpuUsage(this.#cpu)
    return { cpuMs: (d.user + d.system) / 1e3, peakRssBytes: this.#peak }
  }
}
