/**
 * End to end: run the CLI at smoke size, open the report.html it wrote in headless Chromium (Debian's `chromium`;
 * no browser download), check that every figure rendered and fits, and save screenshots of the first screen and of
 * each section to docs/ (the README shows them).
 *
 * AA_BENCH_E2E_RUN=<dir> checks the report of an existing run folder instead of running the CLI;
 * AA_BENCH_SCREENSHOTS=<dir> puts the screenshots elsewhere than docs/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const appDir = join(__dirname, '..', '..');
const shotsDir = resolve(process.env.AA_BENCH_SCREENSHOTS ?? join(appDir, 'docs'));
/** A smoke run's report stays well under this (it was 4.2 MB with every image embedded at full size). */
const MAX_REPORT_BYTES = 1.5 * 1024 * 1024;
const VIEWPORT = { width: 1280, height: 900 };
/** Section screenshots stop here: enough to show a section's text and first figures, small enough to commit. */
const MAX_SHOT_HEIGHT = 1000;

interface FigureRecord {
  file: string;
  caption: string;
}
interface RunResults {
  experiments: Record<string, { title: string; figures: FigureRecord[] }>;
}

function runSmoke(): string {
  const out = mkdtempSync(join(tmpdir(), 'aa-bench-e2e-'));
  const args = ['--out', out, 'all', '--subset', '--preset', 'smoke', '--train-size', '32', '--test-size', '8', '--batch-size', '16'];
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'src/cli.ts', ...args], { cwd: appDir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`aa-bench ${args.join(' ')} exited with ${run.status}:\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  return out;
}

/** Everything the page's figures show, measured in the page (typed structurally: the tests have no DOM typings). */
async function measureFigures(page: Page) {
  return page.evaluate(`(() => {
    const inside = (r, box) => r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    const rect = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }; };
    const charts = [...document.querySelectorAll('figure.svg-figure')].map((fig) => {
      const svg = fig.querySelector('svg');
      const box = rect(svg);
      const legend = [...svg.querySelectorAll('.role-legend-label text')].map((t) => t.textContent);
      const lines = [...svg.querySelectorAll('path[aria-roledescription="line mark"]')].map((p) => ({
        name: p.getAttribute('aria-label'),
        length: p.getTotalLength(),
        points: svg.querySelectorAll('path[aria-roledescription="point"][aria-label="' + CSS.escape(p.getAttribute('aria-label')) + '"]').length,
      }));
      const title = [...svg.querySelectorAll('.role-title-text text')];
      const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
      return {
        file: fig.dataset.file,
        width: box.width,
        naturalWidth: Number(svg.getAttribute('width')),
        title: title.map((t) => t.textContent).join(' '),
        titleInside: title.length > 0 && title.every((t) => inside(rect(t), box)),
        textsOutside: texts.filter((t) => !inside(rect(t), box)).map((t) => t.textContent),
        legend,
        lines,
      };
    });
    const images = [...document.querySelectorAll('figure.raster')].map((fig) => {
      const img = fig.querySelector('img');
      return { file: fig.dataset.file, complete: img.complete, naturalWidth: img.naturalWidth, shownWidth: img.getBoundingClientRect().width, preview: !!fig.querySelector('a') };
    });
    const tables = [...document.querySelectorAll('.table-wrap')].map((w) => ({ overflow: w.scrollWidth - w.clientWidth }));
    return { charts, images, tables, pageOverflow: document.documentElement.scrollWidth - window.innerWidth, missing: document.querySelectorAll('figure.missing').length };
  })()`) as Promise<{
    charts: { file: string; width: number; naturalWidth: number; title: string; titleInside: boolean; textsOutside: string[]; legend: string[]; lines: { name: string; length: number; points: number }[] }[];
    images: { file: string; complete: boolean; naturalWidth: number; shownWidth: number; preview: boolean }[];
    tables: { overflow: number }[];
    pageOverflow: number;
    missing: number;
  }>;
}

describe('report.html in a browser', () => {
  let out: string;
  let results: RunResults;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
    out = process.env.AA_BENCH_E2E_RUN ? resolve(process.env.AA_BENCH_E2E_RUN) : runSmoke();
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'aa-bench-chromium-')), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: VIEWPORT,
      offline: true,
    });
    page = await context.newPage();
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await context?.close();
  });

  const figures = (ext: string) => Object.values(results.experiments).flatMap((e) => e.figures.filter((f) => f.file.endsWith(ext)).map((f) => f.file));

  it('is light: reduced previews instead of full-size images', () => {
    expect(statSync(join(out, 'report.html')).size).toBeLessThan(MAX_REPORT_BYTES);
  });

  it('shows every figure of the run, raster figures loaded and at their natural size (or a linked preview)', async () => {
    const m = await measureFigures(page);
    expect(m.missing).toBe(0);
    expect(m.images.map((i) => i.file).sort()).toEqual(figures('.png').sort());
    expect(m.images.length).toBeGreaterThanOrEqual(5); // aliasing: original, max pool, anti-aliased; shift: two crop grids
    for (const i of m.images) {
      expect(i.complete).toBe(true);
      expect(i.naturalWidth).toBeGreaterThan(0);
      // Crop grids are never scaled: their digits must stay legible.
      if (i.file.includes('-grid-')) expect(i.shownWidth).toBe(i.naturalWidth);
      if (!i.preview) expect(i.shownWidth % i.naturalWidth).toBe(0);
    }
  });

  it('draws every chart: each series a line of non-zero length or its points, titles and labels inside the chart', async () => {
    const m = await measureFigures(page);
    expect(m.charts.map((c) => c.file).sort()).toEqual(figures('.svg').sort());
    // The smoke `all` run draws at least 12 charts; a given run (AA_BENCH_E2E_RUN) draws what its experiments draw.
    if (!process.env.AA_BENCH_E2E_RUN) expect(m.charts.length).toBeGreaterThanOrEqual(12);
    for (const c of m.charts) {
      expect({ file: c.file, titleInside: c.titleInside, outside: c.textsOutside }).toEqual({ file: c.file, titleInside: true, outside: [] });
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.width).toBe(c.naturalWidth);
      expect(c.lines.length).toBeGreaterThan(0);
      expect(c.lines.map((l) => l.name).sort()).toEqual([...c.legend].sort());
      for (const l of c.lines) expect(l.length > 0 || l.points > 0).toBe(true);
    }
    // The probability-per-shift plots and the Beta densities always have many points per line.
    const long = m.charts.filter((c) => /probability|beta/.test(c.file));
    expect(long.length).toBeGreaterThanOrEqual(2);
    for (const c of long) for (const l of c.lines) expect(l.length).toBeGreaterThan(50);
  });

  it('fits the page: no table and no page wider than the window', async () => {
    const m = await measureFigures(page);
    expect(m.pageOverflow).toBeLessThanOrEqual(0);
    for (const t of m.tables) expect(t.overflow).toBeLessThanOrEqual(0);
  });

  it('opens with the verdict summary on the first screen', async () => {
    expect(await page.textContent('h1')).toContain('aa-bench report');
    const box = await page.locator('section.summary').boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? Infinity) + 120).toBeLessThan(VIEWPORT.height);
    expect(await page.locator('section.summary .verdict').count()).toBeGreaterThan(0);
    expect(await page.textContent('body')).toContain('Run on the embedded subset');
  });

  it('saves screenshots of the first screen, of each section and of a crop grid', async () => {
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: join(shotsDir, 'report-first-screen.png') });
    // Section shots stop before the shift section's crop grids: one of them on its own shows its digits at 1:1.
    await page.locator('figure.raster[data-file*="-grid-"]').first().screenshot({ path: join(shotsDir, 'report-crop-grid.png') });
    const sections = page.locator('section.experiment');
    const count = await sections.count();
    expect(count).toBe(Object.keys(results.experiments).length);
    const keyOf = new Map(Object.entries(results.experiments).map(([key, e]) => [e.title, key]));
    for (let i = 0; i < count; i++) {
      const section = sections.nth(i);
      const title = ((await section.locator('h2').textContent()) ?? '').trim();
      const key = keyOf.get(title) ?? `section${i + 1}`;
      await section.scrollIntoViewIfNeeded();
      const box = await section.boundingBox();
      if (!box) throw new Error(`section ${title} is not shown`);
      const scroll = (await page.evaluate('window.scrollY')) as number;
      await page.screenshot({
        path: join(shotsDir, `report-${key}.png`),
        fullPage: true,
        clip: { x: Math.max(0, box.x - 12), y: box.y + scroll, width: Math.min(VIEWPORT.width, box.width + 24), height: Math.min(box.height, MAX_SHOT_HEIGHT) },
      });
    }
  });
});
