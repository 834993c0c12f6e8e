import { gzipSync } from 'node:zlib';

import { esbuild, PACKAGE_DIR } from './bundle';

/** The packages a web app bundles, by the name it imports. */
export const BROWSER_PACKAGES = ['@aa/blur', '@aa/rezero', '@aa/mixup', '@aa/train-loop', '@aa/chapter-models'] as const;

/** A package's whole public API bundled for browsers. */
export interface BundleSize {
  name: string;
  /** `esbuild --bundle --minify --platform=browser`, tfjs external. */
  minified: number;
  gzipped: number;
}

/**
 * Bundles everything `name` exports (`export * from name`) as a web app's bundler would — browser conditions, minified,
 * tfjs left to the app (a peer) — and measures it. A Node built-in anywhere in it fails the build.
 */
export async function bundleSize(name: string): Promise<BundleSize> {
  const result = await esbuild.build({
    stdin: { contents: `export * from '${name}';`, resolveDir: PACKAGE_DIR, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@aa/blur'].filter((e) => e !== name),
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles?.[0]?.contents ?? new Uint8Array(0);
  return { name, minified: bytes.byteLength, gzipped: gzipSync(bytes).byteLength };
}
