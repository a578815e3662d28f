import { ErrorCode } from '@zswap/core'
import { describe, expect, it, vi } from 'vitest'

// A machine without a C compiler or libdeflate-dev: the addon never built.
vi.mock('../src/addon.js', async (original) => ({
  ...(await original<typeof import('../src/addon.js')>()),
  loadAddon: () => ({
    error: new Error(
      'No native build was found for platform=linux arch=riscv64 runtime=node abi=115 uv=1 libc=glibc',
    ),
  }),
}))

const { deflate, libdeflateStatus } = await import('../src/index.js')
const { textPage } = await import('@zswap/conformance')

describe('without the libdeflate addon', () => {
  it("'auto' (the default) runs on Node's zlib and says so, with one process warning", () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    expect(deflate().engine).toBe('zlib')
    expect(deflate().capabilities.engine).toBe('zlib')
    expect(deflate({ engine: 'auto', level: 1, checksum: false }).capabilities.engine).toBe('zlib')
    expect(deflate().name).toBe('deflate-6')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Node's zlib .*scripts\/build-addon\.mjs/), {
      code: 'ZSWAP_DEFLATE_FALLBACK',
    })
    warn.mockRestore()
    const status = libdeflateStatus()
    expect(status.available).toBe(false)
    expect(status.reason).toMatch(/No native build was found/)
  })

  it('round-trips on the fallback, and zlib and fflate still run when asked for', () => {
    for (const c of [deflate(), deflate({ engine: 'zlib', level: 1 }), deflate({ engine: 'fflate' })]) {
      const page = textPage(21)
      const block = new Uint8Array(4096)
      const n = c.compress(page, block)
      expect(n).toBeGreaterThan(0)
      const out = new Uint8Array(4096)
      expect(c.decompress(block.subarray(0, n), out)).toBe(4096)
      expect(out).toEqual(page)
    }
  })

  it("asking for 'libdeflate' is an ERR_INVALID_OPTION RangeError that says how to get it", () => {
    const make = () => deflate({ engine: 'libdeflate' })
    expect(make).toThrow(RangeError)
    expect(make).toThrow(
      /\[@zswap\/deflate\] options\.engine must be 'auto', 'zlib' or 'fflate' on this machine/,
    )
    expect(make).toThrow(/libdeflate-dev/)
    expect(make).toThrow(/node_modules\/@zswap\/deflate\/scripts\/build-addon\.mjs/)
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
      expect((error as Error).cause).toBeInstanceOf(Error)
    }
  })
})
