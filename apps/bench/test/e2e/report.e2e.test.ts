/**
 * End to end: run the CLI, open the report.html it wrote in headless Chromium (Debian's `chromium`,
 * installed by .ci/run; no browser download) and check that every figure rendered.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const appDir = join(__dirname, '..', '..');

describe('report.html in a browser', () => {
  it('shows every figure of a run', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    const out = mkdtempSync(join(tmpdir(), 'aa-bench-e2e-'));
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli.ts', '--out', out, 'aliasing', '--size', '128'], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
      const figures = await page.$$eval('img.figure', (imgs) =>
        imgs.map((img) => {
          // Runs in the page; typed structurally so the test needs no DOM typings.
          const el = img as unknown as { alt: string; complete: boolean; naturalWidth: number; getBoundingClientRect(): { width: number } };
          return { alt: el.alt, complete: el.complete, naturalWidth: el.naturalWidth, shownWidth: el.getBoundingClientRect().width };
        }),
      );
      expect(figures).toHaveLength(3);
      for (const f of figures) {
        expect(f.complete).toBe(true);
        expect(f.naturalWidth).toBeGreaterThan(0);
        expect(f.shownWidth).toBeGreaterThan(100);
      }
      expect(await page.textContent('h1')).toContain('aa-bench report');
      await page.screenshot({ path: join(out, 'report-screenshot.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
