import { ErrorCode } from '@zswap/core'
import { describe, expect, it, vi } from 'vitest'

// A machine without a C compiler or liblz4-dev: the addon never built.
vi.mock('../src/addon.js', async (original) => ({
  ...(await original<typeof import('../src/addon.js')>()),
  loadAddon: () => ({
    error: new Error(
      'No native build was found for platform=linux arch=riscv64 runtime=node abi=115 uv=1 libc=glibc',
    ),
  }),
}))

const { lz4, liblz4Status } = await import('../src/index.js')
const { PAGE, textPage } = await import('./pages.js')

describe('without the liblz4 addon', () => {
  it("'auto' (the default) runs on lz4-napi and says so, with one process warning", () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    expect(lz4().capabilities.backend).toBe('lz4-napi')
    expect(lz4({ backend: 'auto', checksum: false }).capabilities.backend).toBe('lz4-napi')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/lz4-napi .*scripts\/build-addon\.mjs/), {
      code: 'ZSWAP_LZ4_FALLBACK',
    })
    warn.mockRestore()
    const status = liblz4Status()
    expect(status.available).toBe(false)
    expect(status.reason).toMatch(/No native build was found/)
  })

  it('round-trips on the fallback', () => {
    const c = lz4()
    const page = textPage(21)
    const block = new Uint8Array(PAGE)
    const n = c.compress(page, block)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(block.subarray(0, n), out)).toBe(PAGE)
    expect(out).toEqual(page)
  })

  it("asking for 'liblz4' is an ERR_INVALID_OPTION RangeError that says how to get it", () => {
    const make = () => lz4({ backend: 'liblz4' })
    expect(make).toThrow(RangeError)
    expect(make).toThrow(/\[@zswap\/lz4\] options\.backend must be 'auto' or 'lz4-napi' on this machine/)
    expect(make).toThrow(/liblz4-dev/)
    expect(make).toThrow(/node_modules\/@zswap\/lz4\/scripts\/build-addon\.mjs/)
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
      expect((error as Error).cause).toBeInstanceOf(Error)
    }
  })
})
