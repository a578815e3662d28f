import { describe, expect, it } from 'vitest'
import { CorruptDataError, ErrorCode, invalidOption, ZpoolFullError, ZswapError } from '../src/index.js'

describe('errors', () => {
  it('carry stable codes and names', () => {
    const error = new CorruptDataError('[@zswap/x] bad', { cause: 1 })
    expect(error.code).toBe('ERR_CORRUPT_DATA')
    expect(error.name).toBe('CorruptDataError')
    expect(error.cause).toBe(1)
    expect(error).toBeInstanceOf(ZswapError)
    expect(ZswapError.hasCode(error, ErrorCode.CORRUPT_DATA)).toBe(true)
    expect(ZswapError.hasCode(new ZpoolFullError('x'), ErrorCode.CORRUPT_DATA)).toBe(false)
  })

  it('isInstance survives a duplicate copy of the package (Symbol.for marker)', () => {
    const foreign = Object.assign(new Error('x'), {
      code: 'ERR_ZPOOL_FULL',
      [Symbol.for('@zswap/core.error')]: true,
    })
    expect(foreign instanceof ZswapError).toBe(false)
    expect(ZswapError.isInstance(foreign)).toBe(true)
    expect(ZswapError.isInstance(new Error('x'))).toBe(false)
    expect(ZswapError.isInstance(null)).toBe(false)
  })

  it('invalidOption gives TypeError/RangeError with ERR_INVALID_OPTION', () => {
    const range = invalidOption('@zswap/x', 'level', 'an integer in [1, 9]')
    expect(range).toBeInstanceOf(RangeError)
    expect(range.message).toBe('[@zswap/x] options.level must be an integer in [1, 9]')
    expect((range as { code?: string }).code).toBe('ERR_INVALID_OPTION')
    expect(invalidOption('@zswap/x', 'a', 'a string', 'type')).toBeInstanceOf(TypeError)
  })
})
