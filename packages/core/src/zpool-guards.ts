import { InvalidArgumentError, ObjectTooLargeError } from './errors.js'

/**
 * The Zpool contract's check of a malloc size, shared by every pool.
 * @throws InvalidArgumentError unless an integer ≥ 1; ObjectTooLargeError above `maxObjectSize`.
 */
export function assertAllocSize(pkg: string, size: number, maxObjectSize: number): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(`[${pkg}] size must be an integer ≥ 1, got ${String(size)}`)
  }
  if (size > maxObjectSize) {
    throw new ObjectTooLargeError(`[${pkg}] object of ${size} bytes exceeds maxObjectSize (${maxObjectSize})`)
  }
}

/**
 * The Zpool contract's check of a write (`src`) or read (`dst`) buffer
 * against the object's size.
 * @throws InvalidArgumentError when not a Uint8Array or longer than the object.
 */
export function assertCopyFits(pkg: string, what: 'src' | 'dst', buffer: unknown, size: number): void {
  if (!(buffer instanceof Uint8Array)) throw new InvalidArgumentError(`[${pkg}] ${what} must be a Uint8Array`)
  if (buffer.length > size) {
    throw new InvalidArgumentError(
      `[${pkg}] ${what} of ${buffer.length} bytes is longer than the object (${size})`,
    )
  }
}

/**
 * The Zpool contract's check of a `readInPlace` call against the object's size.
 * @throws InvalidArgumentError unless `length` is an integer in [0, size] and
 * `scratch` a Uint8Array of at least `length` bytes.
 */
export function assertReadInPlace(pkg: string, length: number, scratch: unknown, size: number): void {
  if (!(Number.isInteger(length) && length >= 0 && length <= size)) {
    throw new InvalidArgumentError(
      `[${pkg}] length must be an integer in [0, ${size}], got ${String(length)}`,
    )
  }
  if (!(scratch instanceof Uint8Array))
    throw new InvalidArgumentError(`[${pkg}] scratch must be a Uint8Array`)
  if (scratch.length < length) {
    throw new InvalidArgumentError(
      `[${pkg}] scratch of ${scratch.length} bytes is shorter than the ${length} bytes read`,
    )
  }
}

type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array

/**
 * A copy of `a` with room for `n` elements (struct-of-arrays metadata
 * grows this way); new elements are `fill`, or 0.
 */
export function growTypedArray<T extends TypedArray>(a: T, n: number, fill?: number): T {
  const next = new (a.constructor as new (n: number) => T)(n)
  next.set(a as never)
  if (fill !== undefined && fill !== 0) next.fill(fill as never, a.length)
  return next
}
