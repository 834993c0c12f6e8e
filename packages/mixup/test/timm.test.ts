import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyMix, crossEntropy, drawMix, mixBatch, mixTargets, mixupSoftTargets } from '../src/index';
import type { CutmixBox, MixDraw, MixOptions, MixupMode } from '../src/index';
import { expectClose, expectNoLeak, flat, intUniform, permutationUniforms, scriptedRng, values } from './helpers';

/** One run of timm's `Mixup` with scripted numpy draws (test/fixtures/make_timm_fixtures.py). */
interface TimmCase {
  name: string;
  options: {
    mixup_alpha?: number;
    cutmix_alpha?: number;
    cutmix_minmax?: [number, number];
    prob?: number;
    switch_prob?: number;
    mode?: MixupMode;
    correct_lam?: boolean;
  };
  labelSmoothing: number;
  numClasses: number;
  x: number[][][][];
  y: number[];
  u: number[][][][];
  logits: number[][];
  draw: { mode: MixupMode; permutation: number[]; lambda: number[]; box: (CutmixBox | null)[] };
  mixed: number[][][][];
  target: number[][];
  gradX: number[][][][];
  loss: number;
  gradLogits: number[][];
  /** timm's decisions for the batch, each pair or each sample, in order. */
  units: { on: boolean; cutmix: boolean; lam: number; ints: number[] }[];
}

const timm = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'timm.json'), 'utf8')) as { cases: TimmCase[] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shapeOf = (x: number[][][][]) => [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
const drawOf = (c: TimmCase): MixDraw => ({ ...c.draw, permutation: Int32Array.from(c.draw.permutation) });

/** timm's options under @aa/mixup's names. */
function optionsOf(c: TimmCase): MixOptions {
  const o = c.options;
  return {
    mixupAlpha: o.mixup_alpha ?? 1,
    cutmixAlpha: o.cutmix_alpha ?? 0,
    ...(o.cutmix_minmax ? { cutmixMinMax: o.cutmix_minmax } : {}),
    prob: o.prob ?? 1,
    switchProb: o.switch_prob ?? 0.5,
    mode: o.mode ?? 'batch',
    correctLam: o.correct_lam ?? true,
  };
}

/**
 * The uniforms that make drawMix take timm's decisions: per unit a prob draw (u < prob mixes), a switch draw
 * (u < switchProb is CutMix) and λ (Beta(1, 1) is the uniform itself), then the partners (timm's flip, or its pairs
 * (i, B−1−i)), then each CutMix box (centre row and column, or the min-max sides and corner).
 */
function replay(c: TimmCase, h: number, w: number): number[] {
  const o = optionsOf(c);
  const b = c.y.length;
  const out: number[] = [];
  const both = o.mixupAlpha! > 0 && (o.cutmixAlpha! > 0 || o.cutmixMinMax !== undefined);
  for (const unit of c.units) {
    if (o.prob! < 1) out.push(unit.on ? o.prob! / 2 : (1 + o.prob!) / 2);
    if (!unit.on) continue;
    if (both) out.push(unit.cutmix ? o.switchProb! / 2 : (1 + o.switchProb!) / 2);
    if (!(unit.cutmix && o.cutmixMinMax)) out.push(unit.lam);
  }
  if (!c.units.some((u) => u.on)) return out;
  const order = o.mode === 'pair' ? Array.from({ length: b }, (_, k) => (k % 2 === 0 ? k / 2 : b - 1 - (k - 1) / 2)) : c.draw.permutation;
  out.push(...permutationUniforms(order));
  for (const unit of c.units.filter((u) => u.cutmix)) {
    if (o.cutmixMinMax) {
      const [lo, hi] = o.cutmixMinMax;
      const [ch, cw, top, left] = unit.ints as [number, number, number, number];
      out.push(intUniform(ch, Math.floor(h * lo), Math.floor(h * hi)), intUniform(cw, Math.floor(w * lo), Math.floor(w * hi)));
      out.push(intUniform(top, 0, h - ch), intUniform(left, 0, w - cw));
    } else {
      const [cy, cx] = unit.ints as [number, number];
      out.push((cy + 0.5) / h, (cx + 0.5) / w);
    }
  }
  return out;
}

describe("timm's Mixup, case by case (timm.json)", () => {
  describe.each(timm.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const [, h, w] = shapeOf(c.x);

    test('drawMix takes the same decisions, partners, boxes and (corrected) λ from the same draws', () => {
      const rng = scriptedRng(replay(c, h as number, w as number));
      const draw = drawMix(shapeOf(c.x), optionsOf(c), rng);
      expect(rng.used()).toBe(replay(c, h as number, w as number).length);
      expect(draw.mode).toBe(c.draw.mode);
      expect(Array.from(draw.permutation)).toEqual(c.draw.permutation);
      expect(draw.box).toEqual(c.draw.box);
      // timm keeps per-sample λ in float32.
      expectClose(draw.lambda, c.draw.lambda, 0, 1e-7);
    });

    test('applyMix gives its mixed images, exactly where it pastes', () => {
      const xs = tf.tensor4d(c.x);
      const out = applyMix(xs, drawOf(c));
      expectClose(values(out), flat(c.mixed), 1e-6, 1e-6);
      tf.dispose([xs, out]);
    });

    test('mixupSoftTargets gives mixup_target, label smoothing included', () => {
      const ys = tf.tensor1d(c.y, 'int32');
      const targets = mixTargets(ys, drawOf(c));
      const soft = mixupSoftTargets(targets, { numClasses: c.numClasses, labelSmoothing: c.labelSmoothing });
      expectClose(values(soft), flat(c.target), 1e-6, 1e-7);
      tf.dispose([ys, soft, targets.yi, targets.yj]);
      if (typeof targets.lambda !== 'number') targets.lambda.dispose();
    });

    test("crossEntropy with labelSmoothing equals SoftTargetCrossEntropy on timm's targets, gradient included", () => {
      const ys = tf.tensor1d(c.y, 'int32');
      const targets = mixTargets(ys, drawOf(c));
      const logits = tf.tensor2d(c.logits);
      const value = crossEntropy(targets, logits, { labelSmoothing: c.labelSmoothing });
      const g = tf.grad((z: tf.Tensor) => crossEntropy(targets, z, { labelSmoothing: c.labelSmoothing }))(logits);
      expect(value.dataSync()[0]).toBeCloseTo(c.loss, 5);
      expectClose(values(g), flat(c.gradLogits), 1e-4, 1e-6);
      tf.dispose([ys, logits, value, g, targets.yi, targets.yj]);
      if (typeof targets.lambda !== 'number') targets.lambda.dispose();
    });

    test('the gradient of sum(u · mixed) with respect to the images is timm\'s (autograd through its in-place mixing)', () => {
      const xs = tf.tensor4d(c.x);
      const u = tf.tensor4d(c.u);
      const g = tf.grad((x: tf.Tensor) => applyMix(x, drawOf(c)).mul(u).sum())(xs);
      expectClose(values(g), flat(c.gradX), 1e-6, 1e-6);
      tf.dispose([xs, u, g]);
    });

    test('mixBatch with the replayed draws returns the same batch and leaks nothing', async () => {
      const xs = tf.tensor4d(c.x);
      const ys = tf.tensor1d(c.y, 'int32');
      await expectNoLeak(() => {
        const out = mixBatch(xs, ys, { ...optionsOf(c), rng: scriptedRng(replay(c, h as number, w as number)) });
        expectClose(values(out.xs), flat(c.mixed), 1e-6, 1e-6);
        const soft = mixupSoftTargets(out.ys, { numClasses: c.numClasses, labelSmoothing: c.labelSmoothing });
        expectClose(values(soft), flat(c.target), 1e-6, 1e-6);
        tf.dispose([out.xs, out.ys.yi, out.ys.yj, soft]);
        if (typeof out.ys.lambda !== 'number') out.ys.lambda.dispose();
      });
      tf.dispose([xs, ys]);
    });
  });
});
