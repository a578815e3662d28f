/**
 * The error `call` throws synchronously, for tests that check its class,
 * code and message; throws when `call` returns instead.
 */
export function thrown(call: () => unknown): Error & { code?: string } {
  try {
    call()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a throw')
}
