import type { Accelerator, Compressor, Zpool } from '@zswap/core'
import { UsageError } from './usage-error.js'

/** What a driver makes: a per-page compressor, a batched accelerator, a zpool, or a wrapper of one of the first two. */
export type DriverKind = 'compressor' | 'accelerator' | 'zpool' | 'wrapper'

/**
 * How a parameter written in a spec becomes a factory option: `'int'` and
 * `'number'` are decimal numbers, `'bool'` is true/false/on/off/1/0, an array
 * lists the allowed words. The range is checked by the driver itself (its
 * ERR_INVALID_OPTION error becomes a usage error).
 */
export type ParamType = 'int' | 'number' | 'bool' | readonly string[]

/** A driver the harness can compose by name. */
export interface DriverEntry {
  readonly kind: DriverKind
  /** The name written in a stack, e.g. `'zstd'`. Lower case, [a-z0-9_]. */
  readonly name: string
  /** One line for `--list-drivers` and usage errors. */
  readonly summary?: string
  /** The package to import, e.g. `'@zswap/zstd'` (resolved from the harness or from the config file). */
  readonly package: string
  /** Its factory export, e.g. `'zstd'`. Default: the entry name. */
  readonly factory?: string
  /** Parameters by name. Absent: any `key=value` is passed to the factory as a number, boolean or word. */
  readonly params?: Readonly<Record<string, ParamType>>
  /** Names of positional arguments, in order, e.g. `['algorithm']` for `iaa(deflate)`. */
  readonly positional?: readonly string[]
  /** The parameter `name-N` sets, e.g. `'level'` for `zstd-3`. */
  readonly levelParam?: string
  /** Options always passed (a written parameter wins), e.g. zstd's level 1. */
  readonly defaults?: Readonly<Record<string, unknown>>
  /**
   * For a wrapper: builds the wrapped driver from the package's factory, the
   * inner compressor/accelerator and the options (positional `inner` excluded).
   */
  readonly wrap?: (
    factory: (...args: never[]) => unknown,
    inner: Compressor | Accelerator,
    options: Record<string, unknown>,
  ) => Compressor | Accelerator
  /** Imports the package; default `import(package)`. Config files set this to resolve from their own folder. */
  readonly load?: () => Promise<Record<string, unknown>>
}

/**
 * The drivers of the monorepo. A wrapper (`by_n(8,iaa)`) names the driver it
 * wraps as its `inner` positional argument.
 */
export const BUILTIN_DRIVERS: readonly DriverEntry[] = [
  {
    kind: 'compressor',
    name: 'lz4',
    summary: 'LZ4 block + CRC-32 trailer',
    package: '@zswap/lz4',
    params: { checksum: 'bool' },
  },
  {
    kind: 'compressor',
    name: 'zstd',
    summary: 'zstd; zstd-N sets the level (default 1)',
    package: '@zswap/zstd',
    params: { level: 'int', checksum: 'bool' },
    levelParam: 'level',
    defaults: { level: 1 },
  },
  {
    kind: 'compressor',
    name: 'deflate',
    summary: 'raw deflate; deflate-N sets the level (default 6)',
    package: '@zswap/deflate',
    params: { level: 'int', mem: 'int' },
    levelParam: 'level',
  },
  {
    kind: 'compressor',
    name: 'lzo',
    summary: "LZO1X-1, the kernel's default, + CRC-32 trailer; lzo(checksum=false) writes the kernel's bytes",
    package: '@zswap/lzo',
    params: { checksum: 'bool' },
  },
  {
    kind: 'compressor',
    name: 'lzo_rle',
    summary:
      "the kernel's lzo-rle (zram's default): LZO1X-1 with zero runs + CRC-32; checksum=false: the kernel's bytes",
    package: '@zswap/lzo',
    factory: 'lzoRle',
    params: { checksum: 'bool' },
  },
  {
    kind: 'accelerator',
    name: 'iaa',
    summary:
      'IAA emulation: iaa(deflate|lz4|zstd|noop, fixed|canned|dynamic, engines=N, wqs=N, maxBatch=N, model=spr, ...); ' +
      'compressionMode=canned is the second positional; model=spr: time modeled (a (modeled) row)',
    package: '@zswap/iaa',
    positional: ['algorithm', 'compressionMode'],
    levelParam: 'level',
    params: {
      algorithm: ['deflate', 'lz4', 'zstd', 'noop'],
      compressionMode: ['fixed', 'canned', 'dynamic'],
      engines: 'int',
      wqs: 'int',
      wqMode: ['dedicated', 'shared'],
      wqSize: 'int',
      level: 'int',
      verifyCompress: 'bool',
      mode: ['sync', 'async', 'irq'],
      pollUs: 'int',
      onFull: ['wait', 'busy', 'software'],
      maxBatch: 'int',
      maxJobBytes: 'int',
      engineSpinUs: 'int',
      timing: ['measured', 'model'],
      device: ['spr'],
      model: ['spr'],
      modelVerify: 'bool',
    },
  },
  {
    kind: 'wrapper',
    name: 'by_n',
    summary: 'by_n(N, inner): each object as N chunks compressed in parallel, partial loads',
    package: '@zswap/by-n',
    factory: 'byN',
    positional: ['n', 'inner'],
    params: { n: 'int', maxInputSize: 'int', maxBatch: 'int', concurrentBatches: 'int', checksum: 'bool' },
    wrap: (byN, inner, options) =>
      (byN as unknown as (i: Compressor | Accelerator, o: Record<string, unknown>) => Accelerator)(
        inner,
        options,
      ),
  },
  {
    kind: 'zpool',
    name: 'zsmalloc',
    summary: 'size classes over zspages',
    package: '@zswap/zsmalloc',
    params: { chainSize: 'int', multiPage: 'bool', maxPages: 'int' },
  },
  {
    kind: 'zpool',
    name: 'zbud',
    summary: 'two objects per page',
    package: '@zswap/zbud',
    params: { maxPages: 'int' },
  },
  {
    kind: 'zpool',
    name: 'z3fold',
    summary: 'three objects per page',
    package: '@zswap/z3fold',
    params: { maxPages: 'int' },
  },
]

/** Drivers by name; built-in ones plus those a config file names. */
export class DriverRegistry {
  readonly #entries = new Map<string, DriverEntry>()

  constructor(entries: readonly DriverEntry[] = BUILTIN_DRIVERS) {
    for (const entry of entries) this.add(entry)
  }

  /**
   * Adds (or replaces) a driver.
   * @throws UsageError for a malformed entry.
   */
  add(entry: DriverEntry): void {
    if (!/^[a-z][a-z0-9_]*$/.test(entry.name)) {
      throw new UsageError(`driver name "${entry.name}" must be lower case letters, digits and _`)
    }
    if (!['compressor', 'accelerator', 'zpool', 'wrapper'].includes(entry.kind)) {
      throw new UsageError(
        `driver ${entry.name}: kind must be compressor, accelerator, zpool or wrapper, got ${entry.kind}`,
      )
    }
    if (typeof entry.package !== 'string' || entry.package === '') {
      throw new UsageError(`driver ${entry.name}: package must name the package to import`)
    }
    if (entry.kind === 'wrapper' && typeof entry.wrap !== 'function') {
      throw new UsageError(`driver ${entry.name}: a wrapper needs wrap(factory, inner, options)`)
    }
    this.#entries.set(entry.name, entry)
  }

  get(name: string): DriverEntry | undefined {
    return this.#entries.get(name)
  }

  /** Names of the drivers of some kinds, in registration order. */
  names(...kinds: DriverKind[]): string[] {
    return [...this.#entries.values()].filter((e) => kinds.includes(e.kind)).map((e) => e.name)
  }

  entries(): DriverEntry[] {
    return [...this.#entries.values()]
  }

  /** Imports an entry's factory. @throws UsageError when the package or export is missing. */
  async factory(entry: DriverEntry): Promise<(...args: never[]) => unknown> {
    let mod: Record<string, unknown>
    try {
      mod = entry.load === undefined ? await import(entry.package) : await entry.load()
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'ENOENT') {
        throw new UsageError(
          `driver ${entry.name}: package ${entry.package} is not available (not installed or not built; ` +
            `in the monorepo: pnpm --filter ${entry.package} build)`,
        )
      }
      throw error
    }
    const name = entry.factory ?? entry.name
    const fn = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name]
    if (typeof fn !== 'function') {
      throw new UsageError(
        `driver ${entry.name}: package ${entry.package} does not export a function ${name}()`,
      )
    }
    return fn as (...args: never[]) => unknown
  }
}

/** Driver objects made by {@link DriverRegistry}, for type guards. */
export type Made = Compressor | Accelerator | Zpool
