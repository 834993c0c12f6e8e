import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CutMix, MixUp, createRng, mixTargets, mixupSoftTargets } from '../src/index';
import type { MixDraw } from '../src/index';
import { expectClose, expectNoLeak, flat, isPermutation, permutationUniforms, scriptedRng, seededTensor, values } from './helpers';

/** Keras 3's MixUp and CutMix formulas on fixed draws (test/fixtures/make_keras_fixtures.py). */
interface KerasFixtures {
  mixUp: { x: number[][][][]; y: number[][]; lam: number; perm: number[]; images: number[][][][]; labels: number[][] }[];
  cutMix: {
    x: number[][][][];
    y: number[][];
    lam: number[];
    ux: number[];
    uy: number[];
    perm: number[];
    boxes: ({ top: number; bottom: number; left: number; right: number } | null)[];
    images: number[][][][];
    weight: number[];
    labels: number[][];
    pastedShare: number[];
    labelsCorrected: number[][];
  }[];
}

const keras = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'keras.json'), 'utf8')) as KerasFixtures;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const apply = (layer: tf.layers.Layer, inputs: tf.Tensor[], training = true) => layer.apply(inputs, { training }) as tf.Tensor[];

/** The layer as rebuilt from the JSON of a model holding it: what tf.loadLayersModel does, through the class registry. */
async function roundTrip<L extends tf.layers.Layer>(layer: L, inputShape: number[]): Promise<L> {
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), layer] });
  const json = model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'];
  const loaded = await tf.models.modelFromJSON({ modelTopology: json } as tf.io.ModelJSON);
  return loaded.layers[loaded.layers.length - 1] as L;
}

describe('MixUp (Keras 3 form)', () => {
  test.each(keras.mixUp.map((c, i) => [i, c] as const))("case %i: Keras' images and labels for the same λ and permutation", async (_, c) => {
    const xs = tf.tensor4d(c.x);
    const ys = tf.tensor2d(c.y);
    // α = 1: λ is one uniform of the generator, then the permutation's draws.
    const layer = new MixUp({ alpha: 1, rng: scriptedRng([c.lam, ...permutationUniforms(c.perm)]) });
    await expectNoLeak(() => {
      const [images, labels] = apply(layer, [xs, ys]);
      expectClose(values(images!), flat(c.images), 1e-6, 1e-6);
      expectClose(values(labels!), flat(c.labels), 1e-6, 1e-7);
      tf.dispose([images!, labels!]);
    });
    expect(Array.from(layer.lastDraw!.permutation)).toEqual(c.perm);
    expect(layer.lastDraw!.lambda[0]).toBeCloseTo(c.lam, 7);
    tf.dispose([xs, ys]);
  });

  test('images alone are mixed with the same draw as mixTargets gives the int32 labels', () => {
    const xs = seededTensor([5, 2, 2, 1], 1);
    const ys = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
    const layer = new MixUp({ seed: 3 });
    const images = layer.apply(xs, { training: true }) as tf.Tensor;
    const draw = layer.lastDraw as MixDraw;
    const lam = draw.lambda[0] as number;
    const perm = Array.from(draw.permutation);
    expect(isPermutation(perm, 5)).toBe(true);
    const x = values(xs);
    expectClose(values(images), x.map((v, idx) => lam * v + (1 - lam) * (x[(perm[Math.floor(idx / 4)] as number) * 4 + (idx % 4)] as number)), 1e-5, 1e-6);
    const targets = mixTargets(ys, draw);
    expect(values(targets.yj)).toEqual(perm);
    expect(targets.lambda).toBe(lam);
    tf.dispose([xs, ys, images, targets.yi, targets.yj]);
  });

  test('identity at inference (training not true), as in predict; mixing in training', () => {
    const xs = seededTensor([3, 2, 2, 1], 2);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3).toFloat();
    const layer = new MixUp({ seed: 1 });
    for (const kwargs of [{}, { training: false }]) {
      const [images, labels] = layer.apply([xs, ys], kwargs) as tf.Tensor[];
      expect(values(images!)).toEqual(values(xs));
      expect(values(labels!)).toEqual(values(ys));
      tf.dispose([images!, labels!]);
    }
    expect(layer.lastDraw).toBeNull();
    const model = tf.sequential({ layers: [new MixUp({ inputShape: [2, 2, 1], seed: 1 }), tf.layers.flatten()] });
    const predicted = model.predict(xs) as tf.Tensor;
    expect(values(predicted)).toEqual(values(xs));
    const trained = model.apply(xs, { training: true }) as tf.Tensor;
    expect(values(trained)).not.toEqual(values(xs));
    tf.dispose([xs, ys, predicted, trained]);
    model.dispose();
  });

  test('the same seed draws the same batches; the gradient routes (1−λ) of each sample\'s upstream to its partner', () => {
    const xs = seededTensor([4, 3], 3);
    const u = seededTensor([4, 3], 4);
    const a = new MixUp({ alpha: 0.4, seed: 9 });
    const b = new MixUp({ alpha: 0.4, seed: 9 });
    const g = tf.grad((x: tf.Tensor) => (a.apply(x, { training: true }) as tf.Tensor).mul(u).sum())(xs);
    const out = b.apply(xs, { training: true }) as tf.Tensor;
    expect(b.lastDraw).toEqual(a.lastDraw);
    const lam = a.lastDraw!.lambda[0] as number;
    const perm = Array.from(a.lastDraw!.permutation);
    // d/dx_k of Σ_i u_i·(λx_i + (1−λ)x_π(i)) = λ·u_k + (1−λ)·Σ_{i: π(i)=k} u_i
    const uv = values(u);
    const expected = uv.map((v, idx) => {
      const k = Math.floor(idx / 3);
      const routed = perm.reduce((s, p, i) => (p === k ? s + (uv[i * 3 + (idx % 3)] as number) : s), 0);
      return lam * v + (1 - lam) * routed;
    });
    expectClose(values(g), expected, 1e-5, 1e-6);
    tf.dispose([xs, u, g, out]);
  });

  test('is registered: a model holding it round-trips through its JSON with alpha and seed', async () => {
    const layer = new MixUp({ alpha: 0.3, seed: 5, name: 'mix' });
    expect(layer.getClassName()).toBe('MixUp');
    expect(layer.getConfig()).toMatchObject({ alpha: 0.3, seed: 5, name: 'mix' });
    const restored = await roundTrip(layer, [2, 2, 1]);
    expect(restored).toBeInstanceOf(MixUp);
    expect(restored.getConfig()).toEqual(layer.getConfig());
    expect(new MixUp().getConfig()).toMatchObject({ alpha: 0.2, seed: null });
  });

  test('reports bad options and inputs', () => {
    expect(() => new MixUp({ alpha: -1 })).toThrow(/^MixUp: alpha must be a finite number >= 0/);
    expect(() => new MixUp({ alpah: 1 } as never)).toThrow(/^MixUp: option names must be 'seed', 'rng', 'alpha' or tfjs layer arguments, got 'alpah'\.$/);
    expect(() => new MixUp({ seed: 1.5 })).toThrow(/^MixUp: seed must be an integer in \[0, 4294967295\], got 1\.5\.$/);
    const layer = new MixUp({ seed: 1 });
    const xs = seededTensor([2, 3], 1);
    const ints = tf.tensor1d([0, 1], 'int32');
    expect(() => layer.apply([xs, ints], { training: true })).toThrow(
      /^MixUp: labels must be float32 one-hot labels \[2, K\] \(int32 ones: mixTargets\(y, layer\.lastDraw\)\), got an int32 tensor of shape \[2\]\.$/,
    );
    expect(() => layer.apply([xs, xs, xs], { training: true })).toThrow(/^MixUp: the number of inputs must be 1 \(images\) or 2 \(\[images, labels\]\), got 3\.$/);
    tf.dispose([xs, ints]);
  });
});

describe('CutMix (Keras 3 form)', () => {
  test.each(keras.cutMix.map((c, i) => [i, c] as const))("case %i: Keras' boxes, images and label weights for the same λ, starts and permutation", async (_, c) => {
    const xs = tf.tensor4d(c.x);
    const ys = tf.tensor2d(c.y);
    // factor [1, 1]: α = 1 without a draw, so each λ is one uniform; then Keras' order: column starts, row starts, partners.
    const draws = () => [...c.lam, ...c.ux, ...c.uy, ...permutationUniforms(c.perm)];
    const kerasLike = new CutMix({ factor: [1, 1], correctLam: false, rng: scriptedRng(draws()) });
    await expectNoLeak(() => {
      const [images, labels] = apply(kerasLike, [xs, ys]);
      expectClose(values(images!), flat(c.images), 0, 0);
      expectClose(values(labels!), flat(c.labels), 1e-6, 1e-6);
      tf.dispose([images!, labels!]);
    });
    expect(kerasLike.lastDraw!.box).toEqual(c.boxes);
    expectClose(kerasLike.lastDraw!.lambda, c.weight, 1e-6, 1e-7);
    // correctLam (the default): the same pixels, labels weighted by the share really pasted.
    const corrected = new CutMix({ factor: 1, rng: scriptedRng([0.999999, ...draws()]) });
    expect(corrected.factor).toEqual([0, 1]);
    const exact = new CutMix({ factor: [1, 1], rng: scriptedRng(draws()) });
    const [images, labels] = apply(exact, [xs, ys]);
    expectClose(values(images!), flat(c.images), 0, 0);
    expectClose(values(labels!), flat(c.labelsCorrected), 1e-6, 1e-6);
    expectClose(exact.lastDraw!.lambda, c.pastedShare.map((s) => 1 - s), 1e-12, 1e-12);
    tf.dispose([xs, ys, images!, labels!]);
  });

  test('α is drawn from the factor range once per batch; small α makes λ cluster at 0 and 1', () => {
    const xs = seededTensor([64, 4, 4, 1], 5);
    const spread = (factor: number | [number, number]) => {
      const layer = new CutMix({ factor, correctLam: false, seed: 2 });
      let total = 0;
      for (let k = 0; k < 10; k++) {
        tf.dispose(layer.apply(xs, { training: true }) as tf.Tensor);
        total += layer.lastDraw!.lambda.reduce((s, l) => s + Math.abs(l - 0.5), 0) / 64;
      }
      return total / 10;
    };
    // E|λ − 1/2| is 1/4 for Beta(1, 1) and tends to 1/2 as α → 0.
    expect(Math.abs(spread([1, 1]) - 0.25)).toBeLessThan(0.05);
    expect(spread([0.05, 0.1])).toBeGreaterThan(0.4);
    tf.dispose(xs);
  });

  test('identity at inference; serialises factor, correctLam and seed; reports bad options and inputs', async () => {
    const xs = seededTensor([2, 3, 3, 1], 6);
    const layer = new CutMix({ factor: [0.8, 0.2], seed: 4 });
    expect(layer.factor).toEqual([0.2, 0.8]);
    const out = layer.apply(xs) as tf.Tensor;
    expect(values(out)).toEqual(values(xs));
    const restored = await roundTrip(layer, [3, 3, 1]);
    expect(restored).toBeInstanceOf(CutMix);
    expect(restored.getConfig()).toMatchObject({ factor: [0.2, 0.8], correctLam: true, seed: 4 });
    expect(() => new CutMix({ factor: 1.5 })).toThrow(/^CutMix: factor must be a number in \[0, 1\] or a pair of them, got 1\.5\.$/);
    expect(() => new CutMix({ factor: [0.1, 0.2, 0.3] as never })).toThrow(/^CutMix: factor must be/);
    expect(() => new CutMix({ correctLam: 'yes' as never })).toThrow(/^CutMix: correctLam must be true or false, got 'yes'\.$/);
    expect(() => new CutMix({ correct_lam: false } as never)).toThrow(/^CutMix: option names must be .*, got 'correct_lam'\.$/);
    expect(() => new CutMix({ factors: 1 } as never)).toThrow(/^CutMix: option names must be 'seed', 'rng', 'factor', 'correctLam' or tfjs layer arguments, got 'factors'\.$/);
    const flatXs = seededTensor([2, 6], 7);
    expect(() => layer.apply(flatXs, { training: true })).toThrow(/^CutMix: images must be a float32 tensor \[B, H, W, C\] \(rank 4\)/);
    tf.dispose([xs, out, flatXs]);
  });

  test('in a tf.data pipeline: dataset.map mixes images and one-hot labels with one draw, leaving nothing behind', async () => {
    const images = seededTensor([8, 4, 4, 1], 8);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat();
    const cutmix = new CutMix({ seed: 11 });
    const ds = tf.data
      .zip({ xs: tf.data.array(tf.unstack(images)), ys: tf.data.array(tf.unstack(labels)) })
      .batch(4)
      .map((e) => {
        const { xs, ys } = e as { xs: tf.Tensor; ys: tf.Tensor };
        const [x, y] = cutmix.apply([xs, ys], { training: true }) as tf.Tensor[];
        return { xs: x, ys: y };
      });
    const before = tf.memory().numTensors;
    const batches = (await ds.toArray()) as { xs: tf.Tensor; ys: tf.Tensor }[];
    expect(batches).toHaveLength(2);
    for (const b of batches) {
      const rows = b.ys.arraySync() as number[][];
      for (const r of rows) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
      tf.dispose([b.xs, b.ys]);
    }
    expect(tf.memory().numTensors).toBe(before);
    // The soft labels of a mixed batch equal mixupSoftTargets of mixTargets for the same draw.
    const soft = cutmix.apply([tf.keep(images.slice(0, 4)), labels.slice(0, 4)], { training: true }) as tf.Tensor[];
    const ints = tf.tensor1d([0, 1, 2, 0], 'int32');
    const t = mixTargets(ints, cutmix.lastDraw!);
    const expected = mixupSoftTargets(t, { numClasses: 3 });
    expectClose(values(soft[1]!), values(expected), 1e-6, 1e-7);
    tf.dispose([images, labels, ...soft, ints, t.yi, t.yj, expected, t.lambda as tf.Tensor]);
  });
});

test('layers draw from createRng(seed) like any @aa generator', () => {
  const xs = seededTensor([3, 2, 2, 1], 9);
  const a = new CutMix({ seed: 21 });
  const b = new CutMix({ rng: createRng(21) });
  tf.dispose([a.apply(xs, { training: true }) as tf.Tensor, b.apply(xs, { training: true }) as tf.Tensor]);
  expect(a.lastDraw).toEqual(b.lastDraw);
  tf.dispose(xs);
});
