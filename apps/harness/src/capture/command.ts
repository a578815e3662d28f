/** `zswap-harness capture`: returns the exit code. */
export async function captureMain(_argv: string[]): Promise<number> {
  return 2
}
