/**
 * How every published package builds: ESM and CJS with declarations and source maps, for Node 20.
 * Each package's tsup.config.ts is `export default defineConfig(library)`.
 */
export const library = {
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
};
