import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createJiti } from 'jiti'
import type { DriverEntry, DriverKind, ParamType } from './spec/registry.js'
import { UsageError } from './spec/usage-error.js'

/** A third-party driver named in a config file: the harness imports `package` and calls `factory`. */
export interface DriverConfig {
  /** Package name (resolved from the config file's folder) or a path relative to it. */
  package: string
  kind: Exclude<DriverKind, 'wrapper'>
  /** The factory export. Default: the driver's name (the key in `drivers`). */
  factory?: string
  /** Parameters by name and type; absent: any key=value is passed through and checked by the driver. */
  params?: Record<string, ParamType>
  /** Names of positional arguments. */
  positional?: string[]
  /** The parameter `name-N` sets. */
  levelParam?: string
  summary?: string
}

/** Files a run writes, as the `--html/--json/--csv/--markdown FILE` flags. */
export interface OutputConfig {
  /** HTML report path; `false` for none. Default `harness-report.html`. */
  html?: string | false
  json?: string
  csv?: string
  markdown?: string
}

/** `zswap-harness.config.{ts,mts,js,mjs}`: what a run compares. Flags override every field. */
export interface HarnessConfig {
  /** Stack specs, e.g. `['lz4+zsmalloc', 'zstd-3+zbud', 'iaa(deflate,engines=2)+zsmalloc']`. */
  stacks?: string[]
  /** Workload specs, e.g. `['replay(order=0)', 'replay(mix=0:50/4:50)', 'pressure(streams=4)']`. */
  workloads?: string[]
  /** Corpus files (relative to the config file). */
  corpora?: string[]
  /** Measured runs per stack and workload (figures are medians). */
  runs?: number
  /** Unrecorded warm-up runs. */
  warmup?: number
  /** Pages read from one corpus file at most. */
  maxPages?: number
  /** Objects each stack's pool is also measured at (steady state); 0 for none. Default 200,000. */
  scaleObjects?: number
  /** Add the memcpy baseline row (default true). */
  baseline?: boolean
  output?: OutputConfig
  /** Third-party drivers by the name stacks use, e.g. `{ brotli: { package: 'zswap-driver-brotli', kind: 'compressor' } }`. */
  drivers?: Record<string, DriverConfig>
}

/** Types a config object (for editor completion); returns it unchanged. */
export function defineConfig(config: HarnessConfig): HarnessConfig {
  return config
}

/** Config file names looked for in the working directory, in this order. */
export const CONFIG_FILES = [
  'zswap-harness.config.ts',
  'zswap-harness.config.mts',
  'zswap-harness.config.mjs',
  'zswap-harness.config.js',
]

const KEYS = [
  'stacks',
  'workloads',
  'corpora',
  'runs',
  'warmup',
  'maxPages',
  'scaleObjects',
  'baseline',
  'output',
  'drivers',
]
const OUTPUT_KEYS = ['html', 'json', 'csv', 'markdown']
const DRIVER_KEYS = ['package', 'kind', 'factory', 'params', 'positional', 'levelParam', 'summary']

/** A loaded config: the object, where it came from, and its drivers as registry entries. */
export interface LoadedConfig {
  path: string
  config: HarnessConfig
  drivers: DriverEntry[]
}

/**
 * Loads a config file (TypeScript through jiti, JavaScript natively): the
 * given path, or the first of {@link CONFIG_FILES} in `cwd`; undefined when
 * there is none. Paths in it are made absolute from its folder.
 * @throws UsageError when the file is missing, does not load, or has a bad field.
 */
export async function loadConfig(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<LoadedConfig | undefined> {
  let file: string | undefined
  if (path !== undefined) {
    file = resolve(cwd, path)
    if (!existsSync(file)) throw new UsageError(`config file ${path} does not exist`)
  } else {
    file = CONFIG_FILES.map((f) => join(cwd, f)).find((f) => existsSync(f))
    if (file === undefined) return undefined
  }
  const jiti = createJiti(file, { moduleCache: false, fsCache: false })
  let mod: unknown
  try {
    mod = await jiti.import(file, { default: true })
  } catch (error) {
    throw new UsageError(`config file ${file} does not load: ${(error as Error).message.split('\n')[0]}`)
  }
  const config = checkConfig(mod, file)
  const dir = dirname(file)
  if (config.corpora !== undefined) config.corpora = config.corpora.map((c) => resolve(dir, c))
  const out = config.output
  if (out !== undefined) {
    for (const k of ['html', 'json', 'csv', 'markdown'] as const) {
      const v = out[k]
      if (typeof v === 'string') out[k] = resolve(dir, v)
    }
  }
  const drivers = Object.entries(config.drivers ?? {}).map(([name, d]): DriverEntry => {
    const spec = d.package.startsWith('.') ? resolve(dir, d.package) : d.package
    return {
      name,
      kind: d.kind,
      package: d.package,
      ...(d.factory === undefined ? {} : { factory: d.factory }),
      ...(d.params === undefined ? {} : { params: d.params }),
      ...(d.positional === undefined ? {} : { positional: d.positional }),
      ...(d.levelParam === undefined ? {} : { levelParam: d.levelParam }),
      summary: d.summary ?? `from ${d.package}`,
      load: async () => {
        try {
          return (await jiti.import(spec)) as Record<string, unknown>
        } catch (error) {
          const e = error as { code?: string; message: string }
          if (e.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test(e.message)) {
            throw Object.assign(new Error(e.message), { code: 'ERR_MODULE_NOT_FOUND' })
          }
          throw error
        }
      },
    }
  })
  return { path: file, config, drivers }
}

function checkConfig(value: unknown, file: string): HarnessConfig {
  const bad = (msg: string): never => {
    throw new UsageError(`config file ${file}: ${msg}`)
  }
  if (value === null || typeof value !== 'object')
    bad('must export a config object (export default defineConfig({...}))')
  const c = value as Record<string, unknown>
  for (const key of Object.keys(c)) {
    if (!KEYS.includes(key)) bad(`unknown field ${key}; valid: ${KEYS.join(', ')}`)
  }
  const strings = (key: string) => {
    const v = c[key]
    if (v !== undefined && (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === ''))) {
      bad(`${key} must be an array of non-empty strings`)
    }
  }
  strings('stacks')
  strings('workloads')
  strings('corpora')
  const int = (key: string, min: number, max: number) => {
    const v = c[key]
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max)) {
      bad(`${key} must be an integer in ${min}..${max}, got ${String(v)}`)
    }
  }
  int('runs', 1, 1000)
  int('warmup', 0, 1000)
  int('maxPages', 1, 1 << 24)
  int('scaleObjects', 0, 10_000_000)
  if (c.baseline !== undefined && typeof c.baseline !== 'boolean') bad('baseline must be true or false')
  if (c.output !== undefined) {
    if (c.output === null || typeof c.output !== 'object') bad('output must be an object')
    for (const [k, v] of Object.entries(c.output as object)) {
      if (!OUTPUT_KEYS.includes(k)) bad(`unknown output field ${k}; valid: ${OUTPUT_KEYS.join(', ')}`)
      if (!(typeof v === 'string' && v !== '') && !(k === 'html' && v === false)) {
        bad(`output.${k} must be a file path${k === 'html' ? ' or false' : ''}`)
      }
    }
  }
  if (c.drivers !== undefined) {
    if (c.drivers === null || typeof c.drivers !== 'object')
      bad('drivers must be an object of name: { package, kind }')
    for (const [name, d] of Object.entries(c.drivers as object)) {
      if (d === null || typeof d !== 'object') bad(`drivers.${name} must be { package, kind }`)
      for (const k of Object.keys(d)) {
        if (!DRIVER_KEYS.includes(k))
          bad(`unknown field drivers.${name}.${k}; valid: ${DRIVER_KEYS.join(', ')}`)
      }
      if (typeof d.package !== 'string' || d.package === '')
        bad(`drivers.${name}.package must name a package`)
      if (!['compressor', 'accelerator', 'zpool'].includes(d.kind)) {
        bad(`drivers.${name}.kind must be compressor, accelerator or zpool`)
      }
    }
  }
  return { ...(c as HarnessConfig) }
}
