import { execFileSync, spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

/**
 * The system calls kernel-check makes besides reading and writing files:
 * injectable so the tests run the whole setup and restore on a fake tree.
 * Every method but `lock` is synchronous, so a signal handler can restore.
 */
export interface SystemOps {
  /** Effective user id. */
  uid(): number
  /** `mount -t debugfs debugfs <target>`. */
  mountDebugfs(target: string): void
  umount(target: string): void
  mkswap(file: string): void
  swapon(file: string): void
  swapoff(file: string): void
  /**
   * Adds a zram device of `bytes` (hot_add, disksize) and returns its path,
   * e.g. `/dev/zram1`; removes what it added if a step fails.
   */
  zramAdd(bytes: number): string
  /** Resets and hot-removes a zram device that zramAdd made. */
  zramRemove(device: string): void
  /** Waits for an exclusive lock on `path`; resolves with its release. */
  lock(path: string): Promise<() => void>
}

function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim()
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr || (error as Error).message}`)
  }
}

/**
 * The real machine: util-linux commands, and the lock held by a
 * `kcheck-helper lock` child (flock; the kernel drops it when the child ends,
 * which it does when its stdin closes, so a crashed harness leaves no lock).
 */
export function realSystemOps(helper: string): SystemOps {
  return {
    uid: () => process.geteuid?.() ?? -1,
    mountDebugfs: (target) => run('mount', ['-t', 'debugfs', 'debugfs', target]),
    umount: (target) => run('umount', [target]),
    mkswap: (file) => run('mkswap', [file]),
    swapon: (file) => run('swapon', [file]),
    swapoff: (file) => run('swapoff', [file]),
    zramAdd(bytes) {
      const id = readFileSync('/sys/class/zram-control/hot_add', 'utf8').trim()
      try {
        writeFileSync(`/sys/block/zram${id}/disksize`, String(bytes))
      } catch (error) {
        writeFileSync('/sys/class/zram-control/hot_remove', id)
        throw error
      }
      return `/dev/zram${id}`
    },
    zramRemove(device) {
      const id = device.replace(/^\/dev\/zram/, '')
      writeFileSync(`/sys/block/zram${id}/reset`, '1')
      writeFileSync('/sys/class/zram-control/hot_remove', id)
    },
    lock: (path) =>
      new Promise((resolve, reject) => {
        const child = spawn(helper, ['lock', path], { stdio: ['pipe', 'pipe', 'pipe'] })
        let stderr = ''
        child.stderr.on('data', (d) => (stderr += d))
        child.on('error', reject)
        child.on('exit', (code) => reject(new Error(`lock ${path}: helper exited ${code}: ${stderr.trim()}`)))
        createInterface({ input: child.stdout }).once('line', (line) => {
          if (line !== 'locked') return reject(new Error(`lock ${path}: unexpected "${line}"`))
          child.removeAllListeners('exit')
          resolve(() => {
            child.stdin.end()
            child.kill()
          })
        })
      }),
  }
}
