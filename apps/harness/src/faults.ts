import { type Compressor, CorruptDataError, invalidOption, SPECIFICATION_VERSION } from '@zswap/core'

/**
 * Faults the harness can inject to prove that its integrity check catches them:
 * - `'flip'`: every `everyNth` decompress flips one bit of the output (a silent wrong page);
 * - `'corrupt'`: every `everyNth` decompress throws CorruptDataError (a failed load).
 */
export type FaultKind = 'flip' | 'corrupt'

export const FAULT_KINDS: readonly FaultKind[] = ['flip', 'corrupt']

/** Options of {@link faultyCompressor}. */
export interface FaultOptions {
  kind: FaultKind
  /** Fault the n-th, 2n-th, ... decompress call (1-based). Default 7. */
  everyNth?: number
}

/**
 * Wraps a compressor so that some decompressions go wrong. Compression is
 * untouched, so stores succeed and only the loads are affected.
 */
export function faultyCompressor(inner: Compressor, options: FaultOptions): Compressor {
  const { kind, everyNth = 7 } = options
  if (!FAULT_KINDS.includes(kind)) {
    throw invalidOption('zswap-harness', 'kind', `one of ${FAULT_KINDS.join(', ')}, got ${String(kind)}`)
  }
  if (!Number.isInteger(everyNth) || everyNth < 1) {
    throw invalidOption('zswap-harness', 'everyNth', 'a positive integer')
  }
  let calls = 0
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `${inner.name}!${kind}`,
    capabilities: inner.capabilities,
    compress: (src, dst) => inner.compress(src, dst),
    decompress(src, dst) {
      const n = inner.decompress(src, dst)
      if (++calls % everyNth !== 0) return n
      if (kind === 'corrupt') throw new CorruptDataError('[zswap-harness] injected decompression fault')
      dst[(calls * 131) % n] ^= 0x10
      return n
    },
    close: () => inner.close?.(),
  }
}
