import {
  type Accelerator,
  type Compressor,
  InvalidArgumentError,
  invalidOption,
  type Zpool,
  ZswapError,
} from '@zswap/core'

const PKG = 'zswap-harness'

/** Compressor names the harness can compose. */
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

// Driver packages are loaded on demand so the harness works with whichever ones are built.
const COMPRESSOR_PACKAGES: Record<CompressorName, { pkg: string; factory: string }> = {
  lz4: { pkg: '@zswap/lz4', factory: 'lz4' },
  zstd: { pkg: '@zswap/zstd', factory: 'zstd' },
  deflate: { pkg: '@zswap/deflate', factory: 'deflate' },
}

const ZPOOL_PACKAGES: Record<ZpoolName, { pkg: string; factory: string }> = {
  zbud: { pkg: '@zswap/zbud', factory: 'zbud' },
  zsmalloc: { pkg: '@zswap/zsmalloc', factory: 'zsmalloc' },
  z3fold: { pkg: '@zswap/z3fold', factory: 'z3fold' },
}

async function loadFactory(pkg: string, factory: string): Promise<(options?: object) => unknown> {
  let mod: Record<string, unknown>
  try {
    mod = (await import(pkg)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new InvalidArgumentError(
        `[${PKG}] driver package ${pkg} is not available (not built or not installed); ` +
          `build it with \`pnpm --filter ${pkg} build\``,
        { cause: error },
      )
    }
    throw error
  }
  const fn = mod[factory]
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`[${PKG}] driver package ${pkg} does not export a factory ${factory}()`)
  }
  return fn as (options?: object) => unknown
}

/**
 * Creates a compressor by name from its driver package.
 * @throws InvalidOption for an unknown name; InvalidArgumentError when the package is not built.
 */
export async function createCompressor(
  name: CompressorName,
  options: { zstdLevel?: number; lz4Checksum?: boolean } = {},
) {
  const entry = COMPRESSOR_PACKAGES[name]
  if (entry === undefined || !Object.hasOwn(COMPRESSOR_PACKAGES, name)) {
    throw invalidOption(PKG, 'compressor', `one of ${COMPRESSOR_NAMES.join(', ')}, got ${String(name)}`)
  }
  const factory = await loadFactory(entry.pkg, entry.factory)
  if (name === 'zstd') return factory({ level: options.zstdLevel ?? 1 }) as Compressor
  if (name === 'lz4') return factory({ checksum: options.lz4Checksum ?? true }) as Compressor
  return factory() as Compressor
}

/**
 * Creates a zpool by name from its driver package.
 * @throws InvalidOption for an unknown name; InvalidArgumentError when the package is not built.
 */
export async function createZpool(name: ZpoolName): Promise<Zpool> {
  const entry = ZPOOL_PACKAGES[name]
  if (entry === undefined || !Object.hasOwn(ZPOOL_PACKAGES, name)) {
    throw invalidOption(PKG, 'zpool', `one of ${ZPOOL_NAMES.join(', ')}, got ${String(name)}`)
  }
  const factory = await loadFactory(entry.pkg, entry.factory)
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

/** The library a compressor runs on, when it says (`capabilities.backend`, e.g. lz4's `'liblz4'`). */
export function compressorBackend(compressor: { capabilities: object }): string | undefined {
  const backend = (compressor.capabilities as { backend?: unknown }).backend
  return typeof backend === 'string' ? backend : undefined
}

/** True for a ZswapError or an option error (code ERR_INVALID_OPTION): input mistakes, not bugs. */
export function isUsageError(error: unknown): boolean {
  return ZswapError.isInstance(error) || (error as { code?: unknown } | null)?.code === 'ERR_INVALID_OPTION'
}
