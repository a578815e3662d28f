/**
 * The shared tsup preset: ESM only, declarations, source maps, Node 20.
 * Spread it in a package's tsup.config.ts and override what differs
 * (entry points, external modules).
 * @type {import('tsup').Options}
 */
export const preset = {
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
}
