// Mutation testing of this package: `pnpm mutate` at the repo root (see RELIABILITY.md).
import { strykerPreset } from '../../tooling/scripts/stryker-preset.mjs'

export default strykerPreset()
