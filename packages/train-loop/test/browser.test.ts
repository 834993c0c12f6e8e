import { createRequire } from 'node:module';
import * as path from 'node:path';

/** esbuild's JS API, as tsup (a dev dependency) installs it. */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild;
const packageDir = path.resolve(__dirname, '..');

/** Bundles an entry for browsers, as a web app's bundler would, with tfjs left to the app. */
function bundleForBrowser(entry: string): Promise<string> {
  return esbuild
    .build({
      entryPoints: [path.join(packageDir, entry)],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      external: ['@tensorflow/tfjs'],
      write: false,
      logLevel: 'silent',
    })
    .then((r) => r.outputFiles.map((f) => f.text).join('\n'));
}

describe('the main entry is browser-safe', () => {
  it("bundles with esbuild --platform=browser, holding no Node module and no file-system code", async () => {
    const code = await bundleForBrowser('src/index.ts');
    expect(code).toContain('trainNetwork');
    expect(code).not.toMatch(/["'](node:)?(fs|fs\/promises|path)["']/);
    expect(code).not.toContain('writeFileAtomic');
  });

  it('control: the Node entry does not bundle for browsers (the check above can fail)', async () => {
    await expect(bundleForBrowser('src/node.ts')).rejects.toThrow(/Could not resolve "node:fs\/promises"/);
  });
});
