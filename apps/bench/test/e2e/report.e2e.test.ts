/**
 * End to end: run the CLI, open the report.html it wrote in headless Chromium (Debian's `chromium`,
 * installed by .ci/run; no browser download) and check that every figure rendered.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const appDir = join(__dirname, '..', '..');

describe('report.html in a browser', () => {
  it('shows every figure (PNG and SVG) of a smoke run of all experiments', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
    }
    const out = mkdtempSync(join(tmpdir(), 'aa-bench-e2e-'));
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli.ts', '--out', out, 'all', '--sample', '--preset', 'smoke', '--train-size', '32', '--test-size', '8', '--batch-size', '16'], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const files = readdirSync(out);
    const pngs = files.filter((f) => f.endsWith('.png'));
    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(pngs.length).toBe(5); // aliasing: original, max pool, anti-aliased; shift: two crop grids
    expect(svgs.length).toBeGreaterThanOrEqual(12);

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
      expect(figures).toHaveLength(pngs.length);
      for (const f of figures) {
        expect(f.complete).toBe(true);
        expect(f.naturalWidth).toBeGreaterThan(0);
        expect(f.shownWidth).toBeGreaterThan(100);
      }
      const charts = await page.$$eval('figure.svg-figure', (els) =>
        els.map((fig) => {
          const el = fig as unknown as {
            dataset: { file?: string };
            querySelector(s: string): { getBoundingClientRect(): { width: number; height: number } } | null;
            querySelectorAll(s: string): { getTotalLength(): number }[];
          };
          const svg = el.querySelector('svg');
          const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
          const lines = Array.from(el.querySelectorAll('path.series')).map((p) => p.getTotalLength());
          return { file: el.dataset.file ?? '', width: box.width, height: box.height, lines };
        }),
      );
      expect(charts.map((c) => c.file).sort()).toEqual([...svgs].sort());
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(100);
        expect(c.lines.length).toBeGreaterThan(0);
      }
      // Lines with at least two points have a drawn length (the probability plots and the Beta densities always do).
      for (const c of charts.filter((x) => /probability|beta/.test(x.file))) expect(Math.max(...c.lines)).toBeGreaterThan(50);
      expect(await page.textContent('h1')).toContain('aa-bench report');
      expect(await page.textContent('body')).toContain('Run on the sample');
      await page.screenshot({ path: join(out, 'report-screenshot.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
