import { UsageError } from './usage-error.js'

/**
 * The small term language stacks and workloads are written in:
 *
 * ```text
 * term  := NAME ('-' LEVEL)? ('(' arg (',' arg)* ')')?      zstd-3, iaa(deflate,engines=2), by_n(8,iaa)
 * arg   := KEY '=' value | value                            positional or named
 * value := term | WORD                                      WORD: 1.5, 0:40/4:60, deflate
 * ```
 *
 * `zstd-3` is sugar for the driver's level parameter (`zstd(level=3)`).
 */
export interface Term {
  readonly name: string
  /** The `-N` suffix, when written. */
  readonly level?: string
  readonly positional: readonly Value[]
  readonly named: ReadonlyMap<string, Value>
}

/** A term or a bare word (number, enum value, list). */
export type Value = Term | string

/** True when a value is a nested term rather than a word. */
export function isTerm(value: Value): value is Term {
  return typeof value !== 'string'
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y
const LEVEL = /-(-?[0-9]+)(?![A-Za-z0-9_.])/y
const WORD = /[A-Za-z0-9_.:/%-]+/y

/** A cursor over one spec string, with errors that point at the column. */
export class SpecReader {
  pos = 0

  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(expected: string): never {
    const at = this.pos < this.text.length ? `'${this.text[this.pos]}' at column ${this.pos + 1}` : 'the end'
    throw new UsageError(`bad ${this.what} "${this.text}": expected ${expected}, found ${at}`)
  }

  peek(): string | undefined {
    return this.text[this.pos]
  }

  eat(ch: string): boolean {
    if (this.text[this.pos] !== ch) return false
    this.pos++
    return true
  }

  expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`'${ch}'`)
  }

  match(re: RegExp): string | undefined {
    re.lastIndex = this.pos
    const m = re.exec(this.text)
    if (m === null) return undefined
    this.pos = re.lastIndex
    return m[1] ?? m[0]
  }

  done(): boolean {
    return this.pos >= this.text.length
  }

  term(): Term {
    const name = this.match(NAME)
    if (name === undefined) this.fail('a name')
    const level = this.match(LEVEL)
    const positional: Value[] = []
    const named = new Map<string, Value>()
    if (this.eat('(')) {
      if (!this.eat(')')) {
        do {
          const start = this.pos
          const key = this.match(NAME)
          if (key !== undefined && this.eat('=')) {
            if (named.has(key)) {
              this.pos = start
              this.fail(`each parameter once (${key} is repeated)`)
            }
            named.set(key, this.value())
          } else {
            this.pos = start
            if (named.size > 0) this.fail('key=value (positional arguments come first)')
            positional.push(this.value())
          }
        } while (this.eat(','))
        this.expect(')')
      }
    }
    return { name, ...(level === undefined ? {} : { level }), positional, named }
  }

  value(): Value {
    const start = this.pos
    const word = this.match(WORD)
    if (word === undefined) this.fail('a value')
    if (this.peek() === '(' || /^[A-Za-z_][A-Za-z0-9_]*(-[0-9]+)?$/.test(word)) {
      // A name (maybe with a level) is a term: `iaa`, `zstd-3`, `by_n(8,iaa)`.
      if (/^[A-Za-z_]/.test(word)) {
        this.pos = start
        return this.term()
      }
    }
    return word
  }
}

/** Parses a whole string as one term. */
export function parseTerm(text: string, what: string): Term {
  const reader = new SpecReader(text, what)
  const term = reader.term()
  if (!reader.done()) reader.fail('the end')
  return term
}

/** Writes a term back in its canonical form. */
export function formatTerm(term: Term): string {
  const args = [
    ...term.positional.map(formatValue),
    ...[...term.named].map(([k, v]) => `${k}=${formatValue(v)}`),
  ]
  return `${term.name}${term.level === undefined ? '' : `-${term.level}`}${args.length > 0 ? `(${args.join(',')})` : ''}`
}

function formatValue(value: Value): string {
  return isTerm(value) ? formatTerm(value) : value
}

/**
 * Expands one `{a,b,c}`, `{a..b}` or `{a..b..step}` group of a spec into one
 * spec per value (a sweep). A spec without braces is returned alone.
 * @throws UsageError for more than one group or a bad range.
 */
export function expandSweep(text: string, what: string): { specs: string[]; values?: string[] } {
  const open = text.indexOf('{')
  if (open < 0) {
    if (text.includes('}')) throw new UsageError(`bad ${what} "${text}": '}' without '{'`)
    return { specs: [text] }
  }
  const close = text.indexOf('}', open)
  if (close < 0) throw new UsageError(`bad ${what} "${text}": '{' without '}'`)
  if (text.indexOf('{', close) >= 0) {
    throw new UsageError(`bad ${what} "${text}": a sweep varies one parameter, write one {...} group`)
  }
  const body = text.slice(open + 1, close)
  let values: string[]
  const range = /^(-?\d+)\.\.(-?\d+)(?:\.\.(\d+))?$/.exec(body)
  if (range !== null) {
    const [from, to, step = 1] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)]
    if (step < 1 || to < from || (to - from) / step > 256) {
      throw new UsageError(
        `bad ${what} "${text}": a range {a..b} or {a..b..step} needs a ≤ b, step ≥ 1, at most 257 values`,
      )
    }
    values = []
    for (let v = from; v <= to; v += step) values.push(String(v))
  } else {
    values = body.split(',')
    if (values.some((v) => v === '')) {
      throw new UsageError(`bad ${what} "${text}": write {a,b,c} or {a..b} or {a..b..step}`)
    }
  }
  return { specs: values.map((v) => text.slice(0, open) + v + text.slice(close + 1)), values }
}
