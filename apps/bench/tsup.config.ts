import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts', 'src/index.ts'],
  format: ['cjs'],
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Packages stay external: the bench must use the same tfjs copy as @aa/* and any tfjs-node the user installed.
  external: [/^@tensorflow\//, /^@aa\//],
});
