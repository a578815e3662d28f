import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = join(root, '..', '..')
export const cliPath = join(root, 'dist', 'cli.js')
export const benchPath = join(root, 'dist', 'bench.js')

/** The CLI tests spawn the built files; `pnpm test` builds first (turbo), a bare `vitest run` may not have. */
export function ensureBuilt(): void {
  if (existsSync(cliPath) && existsSync(benchPath) && existsSync(join(root, 'dist', 'bench', 'cache.js')))
    return
  execFileSync('pnpm', ['exec', 'tsup'], { cwd: root, stdio: 'ignore' })
}

/** Runs a built script with node; `cwd` defaults to the harness package, `ZSWAP_CORPUS` is unset unless given. */
export function node(
  script: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env }
  if (options.env?.ZSWAP_CORPUS === undefined) delete env.ZSWAP_CORPUS
  const r = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? root,
    env,
    maxBuffer: 64 << 20,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
