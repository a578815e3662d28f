/** Throws a usage error (the CLIs print its message and exit 2). */
export function usageError(message: string): never {
  const error = new Error(message)
  Object.defineProperty(error, 'code', { value: 'ERR_USAGE' })
  throw error
}
