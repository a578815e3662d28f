/**
 * A mistake in what the user asked for (a flag, a stack, a workload, a config
 * file): the CLI prints its one-line message and exits with status 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'ERR_HARNESS_USAGE'
}

/** True for a {@link UsageError}, also across module copies (dist/cli.js and dist/index.js). */
export function isHarnessUsageError(error: unknown): error is UsageError {
  return (error as { code?: unknown } | null)?.code === 'ERR_HARNESS_USAGE'
}
