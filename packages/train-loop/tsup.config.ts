import { defineConfig } from 'tsup';

export default defineConfig({
  // The main entry runs anywhere; `node` holds what needs Node's fs (file checkpoints, the file:// handler).
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // tfjs is a peer: bundling it would give the user a second copy with its own layer registry. The node entry imports
  // the main one by name, so both share one checkpoint-store registry.
  external: [/^@tensorflow\//, '@aa/train-loop'],
});
