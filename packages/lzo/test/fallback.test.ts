import { CompressionFailedError, ErrorCode, ZswapError } from '@zswap/core'
import { describe, expect, it, vi } from 'vitest'

// A machine without a C compiler or liblzo2-dev: the addon never built.
vi.mock('../src/addon.js', async (original) => ({
  ...(await original<typeof import('../src/addon.js')>()),
  loadAddon: () => ({ error: new Error("Cannot find module '../build/Release/zswap_lzo.node'") }),
}))

const { lzo, liblzo2Status } = await import('../src/index.js')

describe('without the liblzo2 addon', () => {
  it('liblzo2Status() says it is missing and why', () => {
    const status = liblzo2Status()
    expect(status.available).toBe(false)
    expect(status.reason).toMatch(/zswap_lzo\.node/)
  })

  it.each([
    [undefined],
    [{ checksum: false }],
  ])('lzo(%o) throws ERR_COMPRESSION_FAILED with the one-line install hint', (options) => {
    const make = () => lzo(options)
    expect(make).toThrow(CompressionFailedError)
    expect(make).toThrow(/^\[@zswap\/lzo\] the liblzo2 addon is not built \(Cannot find module/)
    expect(make).toThrow(/apt-get install -y build-essential liblzo2-dev/)
    expect(make).toThrow(/pnpm --filter @zswap\/lzo run build:addon/)
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
