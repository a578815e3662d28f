import { type Accelerator, type Compressor, invalidOption, type Zpool, ZswapError } from '@zswap/core'
import { DriverRegistry } from './spec/registry.js'

const PKG = 'zswap-harness'

/** Compressor names of the older single-stack API (`createStack`); the registry has more. */
export const COMPRESSOR_NAMES = ['lz4', 'zstd', 'deflate'] as const
export type CompressorName = (typeof COMPRESSOR_NAMES)[number]

/** Zpool names the harness can compose. */
export const ZPOOL_NAMES = ['zbud', 'zsmalloc', 'z3fold'] as const
export type ZpoolName = (typeof ZPOOL_NAMES)[number]

/** A stack to run: what compresses, where compressed pages live. Fresh per run (the cache destroys the zpool). */
export interface Stack {
  /** Display name, e.g. `'lz4+zbud'`. */
  readonly name: string
  readonly compressor: Compressor | Accelerator
  readonly zpool: Zpool
}

/** A stack described by names. */
export interface StackSpec {
  compressor: CompressorName
  zpool: ZpoolName
  /** zstd level (default 1, the level the corpus figures use). */
  zstdLevel?: number
  /** lz4's XXH32 trailer (default true); off is the kernel's format, no corruption detection. */
  lz4Checksum?: boolean
}

// Driver packages are loaded on demand (through the registry), so the harness works with whichever ones are built.
const registry = new DriverRegistry()

async function loadFactory(name: string): Promise<(options?: object) => unknown> {
  return (await registry.factory(registry.get(name)!)) as (options?: object) => unknown
}

/**
 * Creates a compressor by name from its driver package.
 * @throws InvalidOption for an unknown name; UsageError (ERR_HARNESS_USAGE) when its package is not built.
 */
export async function createCompressor(
  name: CompressorName,
  options: { zstdLevel?: number; lz4Checksum?: boolean } = {},
) {
  if (!COMPRESSOR_NAMES.includes(name)) {
    throw invalidOption(PKG, 'compressor', `one of ${COMPRESSOR_NAMES.join(', ')}, got ${String(name)}`)
  }
  const factory = await loadFactory(name)
  if (name === 'zstd') return factory({ level: options.zstdLevel ?? 1 }) as Compressor
  if (name === 'lz4') return factory({ checksum: options.lz4Checksum ?? true }) as Compressor
  return factory() as Compressor
}

/**
 * Creates a zpool by name from its driver package.
 * @throws InvalidOption for an unknown name; UsageError (ERR_HARNESS_USAGE) when its package is not built.
 */
export async function createZpool(name: ZpoolName): Promise<Zpool> {
  if (!ZPOOL_NAMES.includes(name)) {
    throw invalidOption(PKG, 'zpool', `one of ${ZPOOL_NAMES.join(', ')}, got ${String(name)}`)
  }
  const factory = await loadFactory(name)
  return factory() as Zpool
}

/** Composes a fresh stack from names, e.g. `{ compressor: 'lz4', zpool: 'zbud' }` → `lz4+zbud`. */
export async function createStack(spec: StackSpec): Promise<Stack> {
  const compressor = await createCompressor(spec.compressor, spec)
  try {
    const zpool = await createZpool(spec.zpool)
    const variant = spec.lz4Checksum === false && spec.compressor === 'lz4' ? ' (no checksum)' : ''
    return { name: `${compressor.name}${variant}+${zpool.name}`, compressor, zpool }
  } catch (error) {
    compressor.close?.()
    throw error
  }
}

/**
 * The library a compressor runs on, when it says (`capabilities.backend`, e.g. lz4's `'liblz4'`,
 * or `capabilities.engine`, e.g. deflate's `'libdeflate'`).
 */
export function compressorBackend(compressor: { capabilities: object }): string | undefined {
  const { backend, engine } = compressor.capabilities as { backend?: unknown; engine?: unknown }
  if (typeof backend === 'string') return backend
  return typeof engine === 'string' ? engine : undefined
}

/** True for a ZswapError or an option error (code ERR_INVALID_OPTION): input mistakes, not bugs. */
export function isUsageError(error: unknown): boolean {
  return ZswapError.isInstance(error) || (error as { code?: unknown } | null)?.code === 'ERR_INVALID_OPTION'
}
