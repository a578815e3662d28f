import { CompressionFailedError, ErrorCode, ZswapError } from '@zswap/core'
import { describe, expect, it, vi } from 'vitest'

// A machine without a C compiler or liblzo2-dev: the addon never built.
vi.mock('../src/addon.js', async (original) => ({
  ...(await original<typeof import('../src/addon.js')>()),
  loadAddon: () => ({
    error: new Error(
      'No native build was found for platform=linux arch=riscv64 runtime=node abi=115 uv=1 libc=glibc',
    ),
  }),
}))

const { lzo, lzoRle, liblzo2Status } = await import('../src/index.js')

describe('without the liblzo2 addon', () => {
  it('liblzo2Status() says it is missing and why', () => {
    const status = liblzo2Status()
    expect(status.available).toBe(false)
    expect(status.reason).toMatch(/No native build was found/)
  })

  it.each([
    [undefined],
    [{ checksum: false }],
  ])('lzo(%o) throws ERR_COMPRESSION_FAILED with the one-line install hint', (options) => {
    const make = () => lzo(options)
    expect(make).toThrow(CompressionFailedError)
    expect(() => lzoRle(options)).toThrow(/liblzo2-dev/)
    expect(make).toThrow(/^\[@zswap\/lzo\] the liblzo2 addon did not load \(No native build was found/)
    expect(make).toThrow(/apt-get install -y build-essential liblzo2-dev/)
    expect(make).toThrow(/node_modules\/@zswap\/lzo\/scripts\/build-addon\.mjs/)
    try {
      make()
    } catch (error) {
      expect(ZswapError.hasCode(error, ErrorCode.COMPRESSION_FAILED)).toBe(true)
      expect((error as Error).message).not.toContain('\n')
      expect((error as Error).cause).toBeInstanceOf(Error)
    }
  })

  it('still checks its options first', () => {
    const make = () => lzo({ checksum: 1 as unknown as boolean })
    expect(make).toThrow(TypeError)
    expect(make).toThrow('[@zswap/lzo] options.checksum must be a boolean')
  })
})
