import type { ZswapParams } from '@zswap/cache'
import { type Accelerator, type Compressor, PAGE_SIZE, type Zpool } from '@zswap/core'
import type { DriverEntry, DriverRegistry, ParamType } from './registry.js'
import { formatTerm, isTerm, SpecReader, type Term, type Value } from './terms.js'
import { UsageError } from './usage-error.js'

/**
 * A stack, as written on the command line or in a config file:
 *
 * ```text
 * stack := codec ('+' zpool)? ('@' SIZE)? ('[' key=value (',' key=value)* ']')?
 * codec := compressor | accelerator | wrapper '(' args ',' codec ')'
 * SIZE  := 4k | 16k | 64k          (object size: pages compressed together)
 * ```
 *
 * e.g. `lz4+zsmalloc`, `zstd-3+zbud`, `iaa(deflate,engines=2)+zsmalloc`,
 * `lz4+zsmalloc[maxPoolPercent=10]`. The zpool defaults to zsmalloc.
 */
export interface StackPlan {
  /** Canonical text, also the stack's display name. */
  readonly name: string
  readonly codec: DriverUse
  readonly zpool: DriverUse
  /** Pages compressed as one object: 1 (`@4k`), 4 (`@16k`) or 16 (`@64k`). */
  readonly objectPages: 1 | 4 | 16
  /** Cache parameters from `[...]`. */
  readonly cache: Readonly<Partial<Pick<ZswapParams, CacheKey>>>
}

/** One driver of a plan with its options checked against the registry. */
export interface DriverUse {
  readonly entry: DriverEntry
  readonly options: Readonly<Record<string, unknown>>
  /** The wrapped codec of a wrapper. */
  readonly inner?: DriverUse
}

/** A composed stack: fresh drivers, owned by one run (the cache destroys the zpool and closes the codec). */
export interface ComposedStack {
  readonly name: string
  readonly compressor: Compressor | Accelerator
  readonly zpool: Zpool
  readonly objectPages: 1 | 4 | 16
  readonly cache: Readonly<Partial<ZswapParams>>
}

const CACHE_PARAMS = {
  maxPoolPercent: 'number',
  acceptThresholdPercent: 'number',
  shrinkerEnabled: 'bool',
} as const satisfies Record<string, ParamType>
type CacheKey = keyof typeof CACHE_PARAMS

const OBJECT_SIZES: Record<string, 1 | 4 | 16> = { '4k': 1, '16k': 4, '64k': 16 }
/**
 * Object sizes the cache accepts (`objectPages` of createZswap): one page per
 * object (zswap's behaviour), or 4 / 16 pages of a large folio compressed as
 * one zpool object. Multi-page objects need a zpool that holds objects that
 * large (zsmalloc turns on its multi-page classes for them).
 */
export const SUPPORTED_OBJECT_PAGES: readonly number[] = [1, 4, 16]

const DEFAULT_ZPOOL = 'zsmalloc'

/**
 * Parses and checks a stack against the registry (names, parameter names and
 * types); ranges are checked by the drivers when composed.
 * @throws UsageError naming what is valid.
 */
export function parseStack(text: string, registry: DriverRegistry): StackPlan {
  if (typeof text !== 'string' || text.trim() === '') throw new UsageError('a stack cannot be empty')
  const r = new SpecReader(text.replace(/\s+/g, ''), 'stack')
  const codecTerm = r.term()
  const codec = resolveCodec(codecTerm, registry, r.text)
  let zpoolTerm: Term = { name: DEFAULT_ZPOOL, positional: [], named: new Map() }
  if (r.eat('+')) zpoolTerm = r.term()
  const zpool = resolve(zpoolTerm, registry, r.text, ['zpool'])
  let objectPages: 1 | 4 | 16 = 1
  let size = '4k'
  if (r.eat('@')) {
    size = r.match(/[0-9]+[kK]/y)?.toLowerCase() ?? r.fail('an object size 4k, 16k or 64k')
    const pages = OBJECT_SIZES[size]
    if (pages === undefined) {
      throw new UsageError(`bad stack "${text}": object size must be 4k, 16k or 64k, got ${size}`)
    }
    if (!SUPPORTED_OBJECT_PAGES.includes(pages)) {
      throw new UsageError(
        `bad stack "${text}": object size @${size} (objectPages ${pages}) is not supported by the cache yet; ` +
          'only @4k (one page per object)',
      )
    }
    objectPages = pages
  }
  const cache: Record<string, unknown> = {}
  if (r.eat('[')) {
    do {
      const key = r.match(/[A-Za-z_][A-Za-z0-9_]*/y) ?? r.fail('a cache parameter')
      r.expect('=')
      const word = r.match(/[A-Za-z0-9_.-]+/y) ?? r.fail('a value')
      const type = (CACHE_PARAMS as Record<string, ParamType>)[key]
      if (type === undefined) {
        throw new UsageError(
          `bad stack "${text}": unknown cache parameter ${key}; valid: ${Object.keys(CACHE_PARAMS).join(', ')}`,
        )
      }
      cache[key] = convert(word, type, `cache parameter ${key}`, text)
    } while (r.eat(','))
    r.expect(']')
  }
  if (!r.done()) r.fail(`'+zpool', '@size', '[cache params]' or the end`)
  const name =
    `${formatUse(codecTerm)}+${formatTerm(zpoolTerm)}${size === '4k' ? '' : `@${size}`}` +
    (Object.keys(cache).length > 0
      ? `[${Object.entries(cache)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}]`
      : '')
  return { name, codec, zpool, objectPages, cache: cache as StackPlan['cache'] }
}

function formatUse(term: Term): string {
  return formatTerm(term)
}

function resolveCodec(term: Term, registry: DriverRegistry, text: string): DriverUse {
  return resolve(term, registry, text, ['compressor', 'accelerator', 'wrapper'])
}

function resolve(
  term: Term,
  registry: DriverRegistry,
  text: string,
  kinds: DriverEntry['kind'][],
): DriverUse {
  const entry = registry.get(term.name)
  if (entry === undefined || !kinds.includes(entry.kind)) {
    const what = kinds.includes('zpool') ? 'zpool' : 'compressor or accelerator'
    throw new UsageError(
      `bad stack "${text}": unknown ${what} ${term.name}; valid: ${registry.names(...kinds).join(', ')}`,
    )
  }
  const options: Record<string, unknown> = { ...entry.defaults }
  let inner: DriverUse | undefined
  const valid = () => {
    const names = Object.keys(entry.params ?? {})
    return names.length > 0 ? names.join(', ') : 'none'
  }
  const set = (key: string, value: Value) => {
    if (entry.kind === 'wrapper' && key === 'inner') {
      if (!isTerm(value))
        throw new UsageError(
          `bad stack "${text}": ${entry.name} wraps a compressor or accelerator, got ${value}`,
        )
      inner = resolveCodec(value, registry, text)
      return
    }
    const type = entry.params?.[key]
    if (entry.params !== undefined && type === undefined) {
      throw new UsageError(`bad stack "${text}": ${entry.name} has no parameter ${key}; valid: ${valid()}`)
    }
    options[key] = convert(word(value, text), type, `${entry.name} ${key}`, text)
  }
  if (term.level !== undefined) {
    if (entry.levelParam === undefined) {
      throw new UsageError(
        `bad stack "${text}": ${entry.name} has no level (${entry.name}-N); valid: ${valid()}`,
      )
    }
    set(entry.levelParam, term.level)
  }
  const positional = entry.positional ?? []
  if (term.positional.length > positional.length) {
    throw new UsageError(
      `bad stack "${text}": ${entry.name} takes ${positional.length === 0 ? 'no' : `at most ${positional.length}`} ` +
        `positional argument${positional.length === 1 ? '' : 's'}` +
        (positional.length > 0 ? ` (${positional.join(', ')})` : '') +
        `; write key=value, valid: ${valid()}`,
    )
  }
  for (let i = 0; i < term.positional.length; i++) set(positional[i], term.positional[i])
  for (const [key, value] of term.named) set(key, value)
  if (entry.kind === 'wrapper' && inner === undefined) {
    throw new UsageError(`bad stack "${text}": ${entry.name} needs the compressor or accelerator it wraps`)
  }
  return inner === undefined ? { entry, options } : { entry, options, inner }
}

function word(value: Value, text: string): string {
  if (!isTerm(value)) return value
  if (value.positional.length === 0 && value.named.size === 0) {
    return value.level === undefined ? value.name : `${value.name}-${value.level}`
  }
  throw new UsageError(`bad stack "${text}": expected a value, got ${formatTerm(value)}`)
}

function convert(value: string, type: ParamType | undefined, what: string, text: string): unknown {
  const bad = (expected: string): never => {
    throw new UsageError(`bad stack "${text}": ${what} must be ${expected}, got ${value}`)
  }
  if (type === undefined) {
    // An undeclared parameter (a third-party driver): numbers and booleans as such, else the word.
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value)
    if (value === 'true' || value === 'false') return value === 'true'
    return value
  }
  if (type === 'int') return /^-?\d+$/.test(value) ? Number(value) : bad('an integer')
  if (type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : bad('a number')
  if (type === 'bool') {
    if (['true', 'on', '1'].includes(value)) return true
    if (['false', 'off', '0'].includes(value)) return false
    return bad('true or false')
  }
  return type.includes(value) ? value : bad(`one of ${type.join(', ')}`)
}

/**
 * Makes fresh drivers for a plan. Driver option errors (ERR_INVALID_OPTION)
 * become usage errors naming the stack.
 */
export async function composeStack(plan: StackPlan, registry: DriverRegistry): Promise<ComposedStack> {
  const made: (Compressor | Accelerator | Zpool)[] = []
  try {
    const compressor = await make(plan.codec, registry, plan.name, made)
    const zpool = (await zpoolMaker(plan, registry))()
    made.push(zpool)
    const objectBytes = plan.objectPages * PAGE_SIZE
    if (plan.objectPages > 1 && !(zpool.capabilities.maxObjectSize >= objectBytes)) {
      throw new UsageError(
        `bad stack "${plan.name}": ${plan.zpool.entry.name} holds objects of at most ` +
          `${zpool.capabilities.maxObjectSize} bytes; @${objectBytes / 1024}k needs ${objectBytes} (use zsmalloc)`,
      )
    }
    return { name: plan.name, compressor, zpool, objectPages: plan.objectPages, cache: plan.cache }
  } catch (error) {
    for (const m of made) await closeDriver(m)
    throw error
  }
}

/**
 * A factory of fresh zpools of the plan's kind and options (zsmalloc with its
 * multi-page classes for `@16k`/`@64k`), e.g. to allocate a run's objects
 * again at scale; `extra` options are added to the plan's. Driver option errors become usage errors naming the stack.
 */
export async function zpoolMaker(
  plan: StackPlan,
  registry: DriverRegistry,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<() => Zpool> {
  const factory = await registry.factory(plan.zpool.entry)
  const options: Record<string, unknown> = { ...plan.zpool.options, ...extra }
  // zsmalloc holds objects above a page only in its multi-page classes
  if (plan.objectPages > 1 && plan.zpool.entry.name === 'zsmalloc' && options.multiPage === undefined) {
    options.multiPage = true
  }
  return () => guard(plan.name, () => factory(options as never)) as Zpool
}

async function make(
  use: DriverUse,
  registry: DriverRegistry,
  stack: string,
  made: (Compressor | Accelerator | Zpool)[],
): Promise<Compressor | Accelerator> {
  const factory = await registry.factory(use.entry)
  let driver: Compressor | Accelerator
  if (use.inner !== undefined) {
    const inner = await make(use.inner, registry, stack, made)
    const wrap = use.entry.wrap!
    driver = guard(stack, () => wrap(factory, inner, use.options))
  } else {
    driver = guard(stack, () => factory(use.options as never)) as Compressor | Accelerator
  }
  made.push(driver)
  return driver
}

function guard<T>(stack: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_INVALID_OPTION') {
      throw new UsageError(`bad stack "${stack}": ${(error as Error).message}`)
    }
    throw error
  }
}

/** Closes a driver made for a stack that will not run (best effort). */
export async function closeDriver(driver: Compressor | Accelerator | Zpool): Promise<void> {
  try {
    if ('destroy' in driver) driver.destroy()
    else await driver.close?.()
  } catch {
    // already closed
  }
}
