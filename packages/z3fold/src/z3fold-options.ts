import type { PageArena } from '@zswap/core'

/** Options of {@link z3fold}. */
export interface Z3foldOptions {
  /**
   * Where pages come from and go back to. Pools may share one arena (and its
   * page budget). Default: a private arena limited to `maxPages`.
   */
  arena?: PageArena
  /** Page budget of the private arena; not allowed together with `arena`. Default: unlimited. */
  maxPages?: number
}
