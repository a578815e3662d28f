import { liblzo2Status } from '../src/index.js'

/**
 * Whether this machine can run the driver: the liblzo2 addon is its only
 * backend. Where liblzo2-dev is installed (CI), test/addon.test.ts fails if
 * the addon is missing, so CI never silently skips the driver's tests;
 * test/fallback.test.ts covers a machine without it.
 */
export const liblzo2 = liblzo2Status()
