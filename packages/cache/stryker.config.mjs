// Mutation testing of this package: `pnpm mutate` at the repo root (see RELIABILITY.md).
import { strykerPreset } from '../../tooling/scripts/stryker-preset.mjs'

// vitest.stryker.config.ts: the tests' imports of sibling packages' sources must resolve from the sandbox
export default strykerPreset({ vitestConfig: 'vitest.stryker.config.ts' })
