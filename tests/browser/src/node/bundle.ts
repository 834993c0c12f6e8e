import { createRequire } from 'node:module';
import * as path from 'node:path';

/** esbuild's JS API (a dev dependency of this package). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { path: string; text: string; contents: Uint8Array }[]; metafile?: unknown }>;
}
export const esbuild = createRequire(__filename)('esbuild') as Esbuild;

export const PACKAGE_DIR = path.resolve(__dirname, '..', '..');

/**
 * The test page's script: `src/page/main.ts` with tfjs and the @aa packages bundled for browsers from their published
 * builds (resolved through their package.json `exports`, browser conditions), as a web app's bundler would.
 */
export async function bundlePage(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(PACKAGE_DIR, 'src', 'page', 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // tfjs-core mentions Node modules behind runtime checks; a browser build never reaches them.
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'util', 'os'],
  });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error('bundlePage: esbuild wrote nothing');
  return file.text;
}
