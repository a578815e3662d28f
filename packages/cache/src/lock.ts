/**
 * Serialises the cache's asynchronous operations: store, load and shrink
 * share staging buffers and job objects. Uncontended, `acquire` costs no
 * allocation beyond the resolved promise.
 */
export class Lock {
  #held = false
  #waiters: (() => void)[] = []

  /** True while an operation holds the lock. */
  get held(): boolean {
    return this.#held
  }

  acquire(): Promise<void> | undefined {
    if (!this.#held) {
      this.#held = true
      return undefined
    }
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  release(): void {
    const next = this.#waiters.shift()
    if (next) next()
    else this.#held = false
  }
}
