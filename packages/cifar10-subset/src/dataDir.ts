import * as path from 'node:path';

/**
 * Absolute path of the package's `data/` folder. Both `src/` (tests) and `dist/` (the CJS and ESM
 * builds; tsup's shim gives the ESM build a `__dirname`) sit beside it, so one relative step works
 * wherever the package is installed.
 */
export function dataDir(): string {
  return path.resolve(__dirname, '..', 'data');
}
