const MARKER = Symbol.for('@zswap/core.error')

/**
 * Stable error codes. Codes are API: they never change meaning. Messages may
 * improve between versions; match on `code`, never on `message`.
 */
export const ErrorCode = {
  /** An argument (folio, swap entry, offset, handle shape) is malformed. */
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  /** An option passed to a factory is missing or out of range. */
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  /** A folio names a cgroup the cache does not know. */
  UNKNOWN_CGROUP: 'ERR_UNKNOWN_CGROUP',
  /** The object (cache, driver, device) was closed or destroyed. */
  CLOSED: 'ERR_CLOSED',
  /** Compressed input is corrupt or truncated. */
  CORRUPT_DATA: 'ERR_CORRUPT_DATA',
  /** A compressor failed for a reason other than corrupt input. */
  COMPRESSION_FAILED: 'ERR_COMPRESSION_FAILED',
  /** A zpool cannot allocate: its page arena is exhausted. */
  ZPOOL_FULL: 'ERR_ZPOOL_FULL',
  /** A zpool was asked for an object larger than it supports. */
  OBJECT_TOO_LARGE: 'ERR_OBJECT_TOO_LARGE',
  /** A handle that this zpool did not hand out, or that was already freed. */
  INVALID_HANDLE: 'ERR_INVALID_HANDLE',
  /** A swap device read or write failed. */
  SWAP_IO: 'ERR_SWAP_IO',
  /** An offset lies outside a swap device or swap type. */
  OUT_OF_RANGE: 'ERR_OUT_OF_RANGE',
  /** A driver implements a specification version this core does not know. */
  UNSUPPORTED_SPECIFICATION: 'ERR_UNSUPPORTED_SPECIFICATION',
  /** An accelerator job failed on the device (engine fault, bad descriptor). */
  ACCELERATOR: 'ERR_ACCELERATOR',
  /** An accelerator job did not complete within its timeout. */
  TIMEOUT: 'ERR_TIMEOUT',
  /** An accelerator queue is full and the caller asked not to wait. */
  BUSY: 'ERR_BUSY',
  /** A swap file others may read (or write), opened with `permissions: 'refuse'`. */
  INSECURE_SWAP_FILE: 'ERR_INSECURE_SWAP_FILE',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/**
 * Base class of every error thrown by zswap.ts packages. `isInstance` works
 * across duplicate copies of this package (it checks a `Symbol.for` marker,
 * not the prototype chain).
 */
export class ZswapError extends Error {
  /** Stable machine-readable code, one of {@link ErrorCode}. */
  readonly code: ErrorCode
  readonly [MARKER]: true = true

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /** True for any ZswapError, from any copy of @zswap/core. */
  static isInstance(error: unknown): error is ZswapError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true
  }

  /** True for a ZswapError with the given code. */
  static hasCode(error: unknown, code: ErrorCode): error is ZswapError {
    return ZswapError.isInstance(error) && error.code === code
  }
}

/** Malformed argument: bad folio size, order, offset, swap type. */
export class InvalidArgumentError extends ZswapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.INVALID_ARGUMENT, message, options)
  }
}

/** A folio names a cgroup that was never created. */
export class UnknownCgroupError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.UNKNOWN_CGROUP, message)
  }
}

/** Use after close()/destroy(). */
export class ClosedError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.CLOSED, message)
  }
}

/** Compressed input that cannot be decompressed into a correct page. */
export class CorruptDataError extends ZswapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CORRUPT_DATA, message, options)
  }
}

/** A compressor failed on valid input (a binding error, not "does not fit"). */
export class CompressionFailedError extends ZswapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.COMPRESSION_FAILED, message, options)
  }
}

/** The zpool's page arena is exhausted. */
export class ZpoolFullError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.ZPOOL_FULL, message)
  }
}

/** The requested object is larger than the zpool's `maxObjectSize`. */
export class ObjectTooLargeError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.OBJECT_TOO_LARGE, message)
  }
}

/** A handle that was never allocated by this zpool or was already freed. */
export class InvalidHandleError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.INVALID_HANDLE, message)
  }
}

/** A swap device I/O error. */
export class SwapIoError extends ZswapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.SWAP_IO, message, options)
  }
}

/** An offset outside the device or swap type. */
export class OutOfRangeError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.OUT_OF_RANGE, message)
  }
}

/** A driver of an unknown specification version. */
export class UnsupportedSpecificationError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED_SPECIFICATION, message)
  }
}

/** A job failed on an accelerator device. */
export class AcceleratorError extends ZswapError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.ACCELERATOR, message, options)
  }
}

/** A job did not complete within its timeout. */
export class TimeoutError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.TIMEOUT, message)
  }
}

/** A queue is full and the caller asked not to wait. */
export class BusyError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.BUSY, message)
  }
}

/** A swap file whose mode lets users other than its owner read or write it (swapon: "insecure permissions"). */
export class InsecureSwapFileError extends ZswapError {
  constructor(message: string) {
    super(ErrorCode.INSECURE_SWAP_FILE, message)
  }
}

/**
 * An option error: a `TypeError` (wrong type) or `RangeError` (out of range)
 * carrying `code: 'ERR_INVALID_OPTION'`, as Node does for its own options.
 * The message reads `[package] options.name must be expectation`.
 */
export function invalidOption(
  pkg: string,
  name: string,
  expectation: string,
  kind: 'type' | 'range' = 'range',
): TypeError | RangeError {
  const message = `[${pkg}] options.${name} must be ${expectation}`
  const error = kind === 'type' ? new TypeError(message) : new RangeError(message)
  Object.defineProperty(error, 'code', { value: ErrorCode.INVALID_OPTION, enumerable: true })
  return error
}
