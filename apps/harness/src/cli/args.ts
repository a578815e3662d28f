import { UsageError } from '../spec/usage-error.js'

/** How a flag takes its value. */
export interface FlagSpec {
  /** Kebab-case name without dashes, e.g. `'max-pages'`. */
  readonly name: string
  /** `'bool'`: no value; `'string'`/`'int'`: one value; `'list'`: repeatable string. */
  readonly type: 'bool' | 'string' | 'int' | 'list'
  /** For `'int'`: inclusive range. */
  readonly min?: number
  readonly max?: number
  /** Value placeholder and description, for --help. */
  readonly value?: string
  readonly help: string
}

/** Parsed flags by kebab-case name: booleans, strings, integers, or string lists. */
export type ParsedFlags = Map<string, boolean | string | number | string[]>

/**
 * Parses `argv` strictly against `specs`: `--flag value` or `--flag=value`;
 * the word after a value flag is always its value (so `--runs -1` is reported
 * as a bad number, not as an unknown flag). Integers are plain decimal digits
 * only (no '', 0x2, 1e0, 1.0).
 * @throws UsageError with one line naming the flag as typed and listing the valid ones.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const out: ParsedFlags = new Map()
  const byName = new Map(specs.map((s) => [s.name, s]))
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h') {
      out.set('help', true)
      continue
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}"; flags start with --, see --help`)
    }
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    const spec = byName.get(name)
    if (spec === undefined) {
      const close = nearest(name, [...byName.keys()])
      throw new UsageError(
        `unknown flag --${name}${close === undefined ? '' : ` (did you mean --${close}?)`}; ` +
          `valid flags: ${specs.map((s) => `--${s.name}`).join(', ')}`,
      )
    }
    if (spec.type === 'bool') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value, got "${arg.slice(eq + 1)}"`)
      out.set(name, true)
      continue
    }
    let value: string
    if (eq >= 0) value = arg.slice(eq + 1)
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value (${spec.value ?? 'value'})`)
      value = argv[++i]
    }
    if (spec.type === 'int') {
      if (out.has(name)) throw new UsageError(`--${name} is given twice`)
      out.set(name, integer(name, value, spec.min ?? 0, spec.max ?? Number.MAX_SAFE_INTEGER))
    } else {
      if (value === '') throw new UsageError(`--${name} needs a non-empty ${spec.value ?? 'value'}, got ''`)
      if (spec.type === 'list') {
        const list = (out.get(name) as string[] | undefined) ?? []
        list.push(value)
        out.set(name, list)
      } else {
        if (out.has(name)) throw new UsageError(`--${name} is given twice`)
        out.set(name, value)
      }
    }
  }
  return out
}

/** A decimal integer in `min..max`. @throws UsageError naming the flag and the value as typed. */
export function integer(name: string, value: string, min: number, max: number): number {
  const n = /^-?[0-9]+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${value}'`)
  }
  return n
}

/** The closest name by edit distance, when it is close enough to be a typo. */
function nearest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const n of names) {
    const d = distance(name, n)
    if (d < bestD) {
      best = n
      bestD = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}

/** The --help text of a flag table. */
export function formatHelp(usage: string, specs: readonly FlagSpec[], footer: string): string {
  const left = specs.map((s) => `  --${s.name}${s.type === 'bool' ? '' : ` ${s.value ?? 'VALUE'}`}`)
  const width = Math.max(...left.map((l) => l.length)) + 2
  const lines = specs.map((s, i) => `${left[i].padEnd(width)}${s.help}`)
  return `${usage}\n\nFlags:\n${lines.join('\n')}\n\n${footer}\n`
}
