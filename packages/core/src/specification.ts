import { UnsupportedSpecificationError } from './errors.js'

/** The contract version every driver of this release implements. */
export const SPECIFICATION_VERSION = 'v1'
export type SpecificationVersion = typeof SPECIFICATION_VERSION

/**
 * Checks that a driver declares a specification version this core knows.
 * @throws UnsupportedSpecificationError with the driver's name and version.
 */
export function assertSpecification(
  driver: { readonly specificationVersion?: unknown; readonly name?: unknown },
  kind: 'compressor' | 'accelerator' | 'zpool' | 'swap device',
): void {
  if (driver?.specificationVersion !== SPECIFICATION_VERSION) {
    throw new UnsupportedSpecificationError(
      `[@zswap/core] ${kind} ${String(driver?.name ?? '(unnamed)')} implements specification ` +
        `${String(driver?.specificationVersion)}; this release supports ${SPECIFICATION_VERSION}`,
    )
  }
}
