/**
 * Each package bundles for browsers (no Node module anywhere in it) and stays small. Browser-free: this is `pnpm test`;
 * the Chromium runs are `pnpm test:browser`.
 */
import { BROWSER_PACKAGES, bundleSize } from '../src/node/bundleSize';

/** Upper bounds, well above today's sizes (README), low enough to catch a heavy dependency like the old @stdlib sampler (184 KB). */
const BUDGET_KB: Record<(typeof BROWSER_PACKAGES)[number], number> = {
  '@aa/blur': 40,
  '@aa/rezero': 40,
  '@aa/mixup': 40,
  '@aa/train-loop': 60,
  '@aa/chapter-models': 20,
};

describe('browser bundles (esbuild --bundle --minify --platform=browser, tfjs external)', () => {
  it.each(BROWSER_PACKAGES)('%s bundles, within its size budget', async (name) => {
    const size = await bundleSize(name);
    expect(size.minified).toBeGreaterThan(1000);
    expect(size.minified).toBeLessThan(BUDGET_KB[name] * 1024);
  });

  it("control: @aa/train-loop/node does not bundle for browsers (Node's fs), so the check above can fail", async () => {
    await expect(bundleSize('@aa/train-loop/node')).rejects.toThrow(/Could not resolve "(node:)?fs/);
  });
});
