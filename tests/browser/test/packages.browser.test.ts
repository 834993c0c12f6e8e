/**
 * The @aa packages in Debian's Chromium (playwright-core, no browser download), on tfjs's cpu and webgl backends:
 * every case of src/cases runs in the page against the Node tests' PyTorch golden values; the few training steps and
 * the pretrained models' outputs are also compared with the same computation here in Node.
 */
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import '@aa/blur';
import { loadChapterCnn } from '@aa/chapter-models';

import { ALL_CASES } from '../src/cases';
import { rampInput } from '../src/cases/chapterModels';
import { CONTROL_CASE } from '../src/cases/control';
import type { CaseResult } from '../src/harness';
import { bundlePage } from '../src/node/bundle';
import { launchChromium, type LaunchedChromium } from '../src/node/chromium';
import { serveTestSite, type TestSite } from '../src/node/server';
import type { PageReport } from '../src/page/main';
import { trainFewSteps, type FewStepsOutcome } from '../src/training/fewSteps';

const BACKENDS = ['webgl', 'cpu'] as const;
/** Node's cpu against the page: cpu is the same JS arithmetic; webgl's float32 shaders drift over six training steps. */
const AGREEMENT = { cpu: { rtol: 1e-5, atol: 1e-6 }, webgl: { rtol: 2e-3, atol: 2e-4 } } as const;
const HTML = '<!doctype html><meta charset="utf-8"><title>@aa browser tests</title><body><script type="module" src="/dist/page.js"></script>';

let site: TestSite;
let chromium: LaunchedChromium;
let nodeTraining: FewStepsOutcome;
const nodeProbs: Record<string, number[]> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  const { model, outcome } = await trainFewSteps();
  model.dispose();
  nodeTraining = outcome;
  for (const key of ['plain', 'aa'] as const) {
    const m = await loadChapterCnn(key);
    nodeProbs[key] = tf.tidy(() => Array.from(tf.softmax(m.predict(rampInput()) as tf.Tensor2D).dataSync()));
    m.dispose();
  }
  // The models sit where @aa/chapter-models' browser build expects them unbundled: ../models/ from its dist/.
  site = await serveTestSite(HTML, await bundlePage(), { models: path.join(path.dirname(require.resolve('@aa/chapter-models/package.json')), 'models') });
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await site?.close();
});

function expectAgree(what: string, actual: number[], expected: number[], tol: { rtol: number; atol: number }): void {
  expect(actual).toHaveLength(expected.length);
  const bad = actual.findIndex((a, i) => !(Math.abs(a - (expected[i] as number)) <= tol.atol + tol.rtol * Math.abs(expected[i] as number)));
  if (bad >= 0) throw new Error(`${what}: element ${bad} is ${actual[bad]} in the browser, ${expected[bad]} in Node (rtol ${tol.rtol}, atol ${tol.atol})`);
}

describe.each(BACKENDS)('in Chromium on tfjs %s', (backend) => {
  let report: PageReport;
  const result = (name: string): CaseResult => {
    const r = report.results.find((x) => x.name === name);
    if (!r) throw new Error(`the page did not run '${name}'`);
    return r;
  };

  beforeAll(async () => {
    const page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}?backend=${backend}`);
    await page.waitForFunction(() => window.__aaBrowserTests !== undefined, null, { timeout: 540000, polling: 500 });
    report = (await page.evaluate(() => window.__aaBrowserTests)) as PageReport;
    await page.close();
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const worst = report.results.filter((r) => r.name !== CONTROL_CASE).reduce((m, r) => Math.max(m, r.worst), 0);
    console.log(`${backend}: ${report.results.filter((r) => r.ok).length}/${report.results.length} cases passed in the page, ` +
      `worst error ${(worst * 100).toFixed(1)}% of the tolerance${report.webgl ? `; ${report.webgl.renderer}, float32 textures ${report.webgl.float32}` : ''}`);
  });

  it(`runs on ${backend}${backend === 'webgl' ? ' (WebGL 2, float32 textures)' : ''}`, () => {
    expect(report.error).toBeUndefined();
    expect(report.backend).toBe(backend);
    if (backend === 'webgl') expect(report.webgl).toMatchObject({ version: 2, float32: true });
    expect(report.results.map((r) => r.name)).toEqual(ALL_CASES.map((c) => c.name));
  });

  it.each(ALL_CASES.filter((c) => c.name !== CONTROL_CASE).map((c) => c.name))('%s', (name) => {
    const r = result(name);
    if (!r.ok) throw new Error(r.error);
    expect(r.leaked).toBe(0);
  });

  it('the control case fails: a golden value moved by 1e-2 is caught', () => {
    const r = result(CONTROL_CASE);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^blur with one golden value moved by 1e-2: element 3 is /);
  });

  it('the few training steps give the losses, ReZero gate and logits Node gives', () => {
    const b = result(ALL_CASES.find((c) => c.name.startsWith('trainNetwork:'))!.name).details as FewStepsOutcome;
    const tol = AGREEMENT[backend];
    expectAgree('initial test loss', [b.initialTestLoss], [nodeTraining.initialTestLoss], tol);
    expectAgree('train loss per epoch', b.trainLoss, nodeTraining.trainLoss, tol);
    expectAgree('test loss per epoch', b.testLoss, nodeTraining.testLoss, tol);
    expectAgree('alpha', [b.alpha], [nodeTraining.alpha], tol);
    expectAgree('logits', b.logits, nodeTraining.logits, tol);
    const gap = Math.max(...b.logits.map((v, i) => Math.abs(v - (nodeTraining.logits[i] as number))));
    console.log(`${backend}: after 6 training steps the page's logits are within ${gap.toExponential(2)} of Node's`);
  });

  it.each(['plain', 'aa'])("loadChapterCnn('%s') in the page gives Node's class probabilities", (key) => {
    const b = result(`loadChapterCnn('${key}'): loads from the package's own URLs with its metadata and classifies a fixed input`).details as { probs: number[] };
    expectAgree(`P(class) of the ${key} model`, b.probs, nodeProbs[key] as number[], AGREEMENT[backend]);
  });
});
