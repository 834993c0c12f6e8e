import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // loadCifar10Sample finds data/ through __dirname; the shim defines it in the ESM build too.
  shims: true,
  // tfjs is a peer: bundling it would give the user a second copy with its own layer registry.
  external: [/^@tensorflow\//],
});
