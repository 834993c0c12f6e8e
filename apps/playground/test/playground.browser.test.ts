/**
 * The built playground (`vite preview`, what `pnpm playground` serves) in Debian's Chromium on tfjs's webgl backend:
 * the aliasing panel's errors match the same computation in Node; dragging the test image moves the crop pixel by
 * pixel, both models' plots and readouts update, and their numbers match Node's for the same crop (the crops cut
 * here by @aa/cifar-data's shiftedCrops, the models loaded by @aa/chapter-models' Node entry).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import '@aa/blur';
import { loadCifar10, shiftedCrops } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';
import { CHAPTER_CNN_KEYS, loadChapterCnn } from '@aa/chapter-models';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';

import { ALIASING_SIZE } from '../src/aliasing/panel';
import { shrinkAndScore } from '../src/aliasing/measure';
import { zonePlate } from '../src/aliasing/zonePlate';
import type { TestImageIndex } from '../src/shift/testImages';
import { launchChromium, vitePreview } from './chromium';

const appDir = path.join(__dirname, '..');
/** README screenshots go to docs/ with UPDATE_SCREENSHOTS=1, else to a temporary folder. */
const shots = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(appDir, 'docs') : mkdtempSync(path.join(tmpdir(), 'aa-playground-'));
/** webgl's float32 shaders against Node's cpu backend, for an 18,010-parameter CNN's probabilities and an RMS error. */
const PROB_ATOL = 2e-4;
const ERROR_RTOL = 1e-3;

let preview: Awaited<ReturnType<typeof vitePreview>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const pageErrors: string[] = [];
/** Node's class probabilities of the 64 crops of the first shipped test image, per model: `[64][10]`. */
const nodeProbs: Record<string, number[][]> = {};
let first: TestImageIndex['images'][number];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const index = JSON.parse(readFileSync(path.join(appDir, 'public', 'cifar10-test-images.json'), 'utf8')) as TestImageIndex;
  first = index.images[0] as TestImageIndex['images'][number];
  const { test } = await loadCifar10({ pack: cifar10Subset });
  const crops = shiftedCrops(test, first.index, { size: 24, shifts: 8 });
  for (const key of CHAPTER_CNN_KEYS) {
    const model = await loadChapterCnn(key);
    nodeProbs[key] = tf.tidy(() => tf.softmax(model.predict(crops) as tf.Tensor2D).arraySync());
    model.dispose();
  }
  crops.dispose();
  preview = await vitePreview(appDir);
  browser = await launchChromium({ width: 1150, height: 1400 });
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${preview.url}?backend=webgl`);
  await page.waitForSelector('#shift-panel[data-state="ready"]', { timeout: 180000 });
  await page.waitForSelector('#aliasing-panel[data-state="done"]', { timeout: 180000 });
});

afterAll(async () => {
  await browser?.close();
  preview?.stop();
});

/** What the page shows for one model: the plotted series, the marked crop and the current crop's probabilities. */
async function modelView(key: string): Promise<{ values: number[]; current: number; markerX: number; probs: number[]; text: string }> {
  return page.$eval(`figure[data-model="${key}"]`, (fig) => {
    const svg = fig.querySelector('svg') as unknown as { dataset: { values: string; current: string } };
    const marker = fig.querySelector('.marker') as unknown as { getAttribute(n: string): string };
    const readout = fig.querySelector('.readout') as unknown as { dataset: { probs: string }; textContent: string };
    return { values: JSON.parse(svg.dataset.values) as number[], current: Number(svg.dataset.current), markerX: Number(marker.getAttribute('cx')), probs: JSON.parse(readout.dataset.probs) as number[], text: readout.textContent };
  });
}

const stageAt = () => page.$eval('.stage', (s) => ({ top: Number((s as unknown as { dataset: { top: string } }).dataset.top), left: Number((s as unknown as { dataset: { left: string } }).dataset.left) }));

function expectAllClose(what: string, actual: number[], expected: number[], atol: number): void {
  expect(actual).toHaveLength(expected.length);
  const bad = actual.findIndex((a, i) => !(Math.abs(a - (expected[i] as number)) <= atol));
  if (bad >= 0) throw new Error(`${what}: element ${bad} is ${actual[bad]} in the page, ${expected[bad]} in Node (atol ${atol})`);
}

describe('the playground in Chromium (webgl)', () => {
  it('runs on the webgl backend, without page errors', async () => {
    expect(await page.getAttribute('body', 'data-backend')).toBe('webgl');
    expect(await page.textContent('#status')).toMatch(/^tfjs 4\.\d+\.\d+, webgl backend$/);
    expect(pageErrors).toEqual([]);
  });

  it("aliasing: the zone plate's two errors are Node's, and anti-aliasing lowers the error", async () => {
    const data = await page.$eval('#aliasing-panel', (p) => ({ ...(p as unknown as { dataset: Record<string, string> }).dataset }));
    expect(data).toMatchObject({ source: 'zone plate', factor: '4' });
    const x = tf.tensor4d(zonePlate(ALIASING_SIZE), [1, ALIASING_SIZE, ALIASING_SIZE, 1]);
    const node = shrinkAndScore(x, 4);
    tf.dispose([x, node.maxPool, node.antiAliased]);
    expect(Math.abs(Number(data.maxPoolError) / node.error.maxPool - 1)).toBeLessThan(ERROR_RTOL);
    expect(Math.abs(Number(data.antiAliasedError) / node.error.antiAliased - 1)).toBeLessThan(ERROR_RTOL);
    expect(Number(data.antiAliasedError)).toBeLessThan(0.7 * Number(data.maxPoolError));
    expect(await page.textContent('#aliasing-panel .summary')).toMatch(/^Anti-aliasing lowers the RMS aliasing error by \d+\.\d %/);
    await page.locator('#aliasing-panel').screenshot({ path: path.join(shots, 'playground-aliasing.png') });
  });

  it('aliasing: a new factor and an image the user gives are shrunk and scored', async () => {
    await page.selectOption('#aliasing-panel select', '2');
    await page.waitForSelector('#aliasing-panel[data-state="done"][data-factor="2"]');
    // A CIFAR-10 test image's JPEG as the user's file (the input is what a drop on the panel also feeds).
    const dir = cifar10Subset.dir;
    const offsets = readFileSync(path.join(dir, cifar10Subset.files.test.offsets));
    const jpeg = readFileSync(path.join(dir, cifar10Subset.files.test.jpeg)).subarray(offsets.readUInt32LE(0), offsets.readUInt32LE(4));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'aa-drop-')), 'user-photo.jpg');
    writeFileSync(file, jpeg);
    await page.setInputFiles('#aliasing-panel input[type=file]', file);
    await page.waitForSelector('#aliasing-panel[data-state="done"][data-source="user-photo.jpg"]');
    const data = await page.$eval('#aliasing-panel', (p) => ({ ...(p as unknown as { dataset: Record<string, string> }).dataset }));
    expect(Number(data.maxPoolError)).toBeGreaterThan(0);
    expect(Number(data.antiAliasedError)).toBeGreaterThan(0);
    expect(await page.textContent('#aliasing-panel figure.original figcaption')).toBe(`user-photo.jpg, ${ALIASING_SIZE}×${ALIASING_SIZE}`);
    await page.click('#aliasing-panel button');
    await page.selectOption('#aliasing-panel select', '4');
    await page.waitForSelector('#aliasing-panel[data-state="done"][data-factor="4"][data-source="zone plate"]');
  });

  it('shift: at the centre crop, both plots show Node\'s P(class) for all 64 crops of the test image', async () => {
    expect(await stageAt()).toEqual({ top: 4, left: 4 });
    for (const key of CHAPTER_CNN_KEYS) {
      const view = await modelView(key);
      expect(view.current).toBe(36);
      expectAllClose(`${key}: P(${first.className}) per crop`, view.values, (nodeProbs[key] as number[][]).map((p) => p[first.label] as number), PROB_ATOL);
      expectAllClose(`${key}: the centre crop's probabilities`, view.probs, nodeProbs[key]?.[36] as number[], PROB_ATOL);
    }
    await page.locator('#shift-panel').screenshot({ path: path.join(shots, 'playground-shift.png') });
  });

  it('shift: dragging the image moves the crop pixel by pixel; both plots and readouts follow, with Node\'s numbers for that crop', async () => {
    const before = { plain: await modelView('plain'), aa: await modelView('aa') };
    const box = (await page.locator('.stage').boundingBox()) as { x: number; y: number; width: number; height: number };
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    // 8 screen pixels per image pixel: 2 image pixels left and 1 up, in small steps as a hand drags.
    const seen = new Set<string>();
    for (let s = 1; s <= 8; s++) {
      await page.mouse.move(cx - 2 * s, cy - s);
      const at = await stageAt();
      seen.add(`${at.top},${at.left}`);
    }
    await page.mouse.up();
    // The image moved left and up, so the window now shows 2 columns further right and 1 row lower.
    expect(await stageAt()).toEqual({ top: 5, left: 6 });
    expect([...seen]).toEqual(expect.arrayContaining(['4,5', '5,6']));
    const crop = 5 * 8 + 6;
    for (const key of CHAPTER_CNN_KEYS) {
      const view = await modelView(key);
      expect(view.current).toBe(crop);
      expect(view.markerX).toBeGreaterThan(before[key as 'plain' | 'aa'].markerX);
      expect(view.probs).not.toEqual(before[key as 'plain' | 'aa'].probs);
      expectAllClose(`${key}: crop (5, 6)'s probabilities`, view.probs, nodeProbs[key]?.[crop] as number[], PROB_ATOL);
      expect(view.text).toMatch(new RegExp(`^P\\(${first.className}\\) = \\d+\\.\\d % · predicts \\w+ \\(\\d+\\.\\d %\\)$`));
    }
    expect(await page.textContent('.crop-view .where')).toBe('crop top 5, left 6 (index 46 of 64)');
  });

  it('shift: the arrow keys move it one pixel, and the crop stops at the image edge', async () => {
    await page.focus('.stage');
    await page.keyboard.press('ArrowRight'); // the image moves right: the window one column left
    expect(await stageAt()).toEqual({ top: 5, left: 5 });
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowUp');
    expect(await stageAt()).toEqual({ top: 7, left: 5 });
    const view = await modelView('aa');
    expect(view.current).toBe(61);
    expectAllClose("aa: crop (7, 5)'s probabilities", view.probs, nodeProbs.aa?.[61] as number[], PROB_ATOL);
  });

  it('shift: another test image and another class re-plot both models', async () => {
    await page.click('.picker button[data-image="1"]');
    expect(await stageAt()).toEqual({ top: 4, left: 4 });
    const a = await modelView('plain');
    await page.selectOption('.crop-view select', '9');
    const b = await modelView('plain');
    expect(b.values).not.toEqual(a.values);
    // The plotted point of the current crop is the readout's P(truck): one crop scored in the batch of 64 and alone.
    expectAllClose('P(truck) of the current crop', [b.values[36] as number], [b.probs[9] as number], PROB_ATOL);
    expect((await modelView('aa')).text).toMatch(/^P\(truck\) = /);
    await page.selectOption('.crop-view select', String(first.label));
    await page.click('.picker button[data-image="0"]');
    await page.screenshot({ path: path.join(shots, 'playground.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
