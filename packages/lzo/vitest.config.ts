import { preset } from '@zswap/vitest-config'

export default preset
