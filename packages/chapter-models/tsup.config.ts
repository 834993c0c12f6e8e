import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Node reads the models from the package's models/ folder through __dirname (the shim gives the ESM build one).
    entry: { node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    shims: true,
    // tfjs and @aa/blur are peers: a second copy would have its own layer registry.
    external: [/^@tensorflow\//, /^@aa\//],
  },
  {
    // Browsers fetch the files; `new URL('../models/…', import.meta.url)` in this build is what bundlers
    // (Vite, webpack 5, esbuild with a loader) turn into emitted assets. ESM only: import.meta has no CJS form.
    entry: { browser: 'src/browser.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    external: [/^@tensorflow\//, /^@aa\//],
  },
]);
