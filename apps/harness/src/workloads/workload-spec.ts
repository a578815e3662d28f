import { MAX_FOLIO_ORDER } from '@zswap/core'
import { formatTerm, isTerm, parseTerm } from '../spec/terms.js'
import { UsageError } from '../spec/usage-error.js'
import type { OrderShare } from './folios.js'
import type { PressureOptions } from './pressure.js'
import type { SyntheticOptions } from './synthetic.js'

/**
 * A workload, as written with `--workload` or in a config file:
 *
 * - `replay(order=N | mix=0:40/2:20/4:20/9:20, seed=N)`: every corpus stored then loaded, folio sizes from the mix;
 * - `synthetic(pages=N, ratio=X, zero=X, same=X, seed=N, order|mix)`: generated pages instead of a corpus;
 * - `pressure(streams=N, limit=X, readahead=N, order|mix)`: concurrent streams into a pool limited to
 *   `limit` × the bytes offered, write-back to a temporary swap file, swap-in by loadBatch windows.
 */
export type WorkloadPlan =
  | { kind: 'replay'; name: string; mix: OrderShare[]; seed: number }
  | { kind: 'synthetic'; name: string; mix: OrderShare[]; seed: number; synthetic: SyntheticOptions }
  | { kind: 'pressure'; name: string; mix: OrderShare[]; seed: number; pressure: PressureOptions }

type Kind = WorkloadPlan['kind']

const PARAMS: Record<Kind, Record<string, 'int' | 'number' | 'mix'>> = {
  replay: { order: 'int', mix: 'mix', seed: 'int' },
  synthetic: {
    pages: 'int',
    ratio: 'number',
    zero: 'number',
    same: 'number',
    seed: 'int',
    order: 'int',
    mix: 'mix',
  },
  pressure: { streams: 'int', limit: 'number', readahead: 'int', order: 'int', mix: 'mix', seed: 'int' },
}

/** Workload names. */
export const WORKLOAD_KINDS = Object.keys(PARAMS) as Kind[]

/**
 * Parses a workload spec.
 * @throws UsageError naming the valid kinds and parameters.
 */
export function parseWorkload(text: string): WorkloadPlan {
  if (typeof text !== 'string' || text.trim() === '') throw new UsageError('a workload cannot be empty')
  const term = parseTerm(text.replace(/\s+/g, ''), 'workload')
  const kind = term.name as Kind
  const params = PARAMS[kind]
  if (params === undefined || !Object.hasOwn(PARAMS, kind)) {
    throw new UsageError(
      `bad workload "${text}": unknown workload ${term.name}; valid: ${WORKLOAD_KINDS.join(', ')}`,
    )
  }
  if (term.positional.length > 0 || term.level !== undefined) {
    throw new UsageError(
      `bad workload "${text}": write parameters as key=value; valid: ${Object.keys(params).join(', ')}`,
    )
  }
  const v: Record<string, number | OrderShare[]> = {}
  for (const [key, value] of term.named) {
    const type = params[key]
    if (type === undefined) {
      throw new UsageError(
        `bad workload "${text}": ${kind} has no parameter ${key}; valid: ${Object.keys(params).join(', ')}`,
      )
    }
    const word = isTerm(value) ? formatTerm(value) : value
    v[key] = type === 'mix' ? parseMix(word, text) : number(word, type, key, text)
  }
  const bad = (msg: string): never => {
    throw new UsageError(`bad workload "${text}": ${msg}`)
  }
  if (v.order !== undefined && v.mix !== undefined) bad('give order or mix, not both')
  const order = (v.order as number | undefined) ?? 0
  if (order < 0 || order > MAX_FOLIO_ORDER) bad(`order must be 0..${MAX_FOLIO_ORDER}, got ${order}`)
  const mix = (v.mix as OrderShare[] | undefined) ?? [{ order, share: 1 }]
  const seed = (v.seed as number | undefined) ?? 1
  const name = formatTerm(term)
  if (kind === 'replay') return { kind, name, mix, seed }
  if (kind === 'synthetic') {
    const synthetic: SyntheticOptions = {
      pages: (v.pages as number | undefined) ?? 4096,
      ratio: (v.ratio as number | undefined) ?? 3,
      zero: (v.zero as number | undefined) ?? 0.1,
      same: (v.same as number | undefined) ?? 0.05,
      seed,
    }
    if (synthetic.pages < 1 || synthetic.pages > 1 << 22) bad('pages must be 1..4194304')
    if (!(synthetic.ratio >= 1 && synthetic.ratio <= 4096)) bad('ratio must be 1..4096')
    if (synthetic.zero < 0 || synthetic.same < 0 || synthetic.zero + synthetic.same > 1) {
      bad('zero and same are shares 0..1 with zero + same ≤ 1')
    }
    return { kind, name, mix, seed, synthetic }
  }
  const pressure: PressureOptions = {
    streams: (v.streams as number | undefined) ?? 4,
    limit: (v.limit as number | undefined) ?? 0.25,
    readahead: (v.readahead as number | undefined) ?? 8,
  }
  if (pressure.streams < 1 || pressure.streams > 256) bad('streams must be 1..256')
  if (!(pressure.limit > 0 && pressure.limit <= 1)) bad('limit is a share of the bytes offered, in (0, 1]')
  if (pressure.readahead < 1 || pressure.readahead > 512) bad('readahead must be 1..512 folios')
  return { kind, name, mix, seed, pressure }
}

function number(word: string, type: 'int' | 'number', key: string, text: string): number {
  const re = type === 'int' ? /^\d+$/ : /^\d+(\.\d+)?$/
  if (!re.test(word)) {
    throw new UsageError(
      `bad workload "${text}": ${key} must be ${type === 'int' ? 'an integer' : 'a number'}, got ${word}`,
    )
  }
  return Number(word)
}

/** `0:40/2:20/4:20/9:20` → orders with shares. */
export function parseMix(word: string, text: string): OrderShare[] {
  const parts = word.split('/')
  const mix: OrderShare[] = []
  for (const part of parts) {
    const m = /^(\d):(\d+(?:\.\d+)?)$/.exec(part)
    if (m === null || Number(m[1]) > MAX_FOLIO_ORDER) {
      throw new UsageError(
        `bad workload "${text}": mix is order:share/order:share..., orders 0..${MAX_FOLIO_ORDER}, e.g. 0:40/4:60; got ${part}`,
      )
    }
    mix.push({ order: Number(m[1]), share: Number(m[2]) })
  }
  if (mix.every((m) => m.share === 0)) throw new UsageError(`bad workload "${text}": mix shares are all 0`)
  return mix
}
