import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { chapterCnn, CNN_POOLINGS, type CnnPooling } from '../src';
import { expectClose, expectNoLeak, flat } from './helpers';

/** One pooling of test/fixtures/chapterCnn.json (made by make_chapter_cnn.py with PyTorch). */
interface CnnCase {
  trainable: number;
  flat: number;
  layers: string[];
  tiny: {
    width: number;
    classes: number;
    input_shape: number[];
    input: unknown;
    weights: Record<string, unknown[]>;
    output: unknown;
    upstream: unknown;
    input_grad: unknown;
  };
}
const fixture = (
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'chapterCnn.json'), 'utf8')) as { chapterCnn: Record<CnnPooling, CnnCase> }
).chapterCnn;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's `sum(p.numel() for p in model.parameters())`: BatchNorm's moving statistics are buffers there. */
function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
}

/** The PyTorch module class each tfjs layer stands for; tfjs-only padding layers (PyTorch pads inside Conv2d) are left out. */
function torchClasses(model: tf.LayersModel): string[] {
  const names: Record<string, string> = {
    Conv2D: 'Conv2d',
    BatchNormalization: 'BatchNorm2d',
    ReLU: 'ReLU',
    MaxPooling2D: 'MaxPool2d',
    AveragePooling2D: 'AvgPool2d',
    MaxBlurPool2D: 'MaxBlurPool2D',
    BlurPool: 'BlurPool',
    Flatten: 'Flatten',
    Dense: 'Linear',
  };
  return model.layers
    .filter((l) => !['InputLayer', 'ZeroPadding2D'].includes(l.getClassName()))
    .map((l) => {
      const cls = l.getClassName();
      if (cls === 'Activation') return l.getConfig().activation === 'relu' ? 'ReLU' : `Activation(${String(l.getConfig().activation)})`;
      return names[cls] ?? cls;
    });
}

/** Every weight value of a model, by weight name order. */
function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('chapterCnn: the chapter CNN against PyTorch', () => {
  it.each(CNN_POOLINGS)("%s: PyTorch's parameter count (18,010) and the chapter's layer order", (pooling) => {
    const c = fixture[pooling];
    expect(c.trainable).toBe(18010);
    const model = chapterCnn({ pooling });
    expect(trainableCount(model)).toBe(c.trainable);
    expect(torchClasses(model)).toEqual(c.layers);
    expect(model.getLayer('flatten').outputShape).toEqual([null, c.flat]);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(model.name).toBe(`cnn_${pooling}`);
    model.dispose();
  });

  it.each(CNN_POOLINGS)('%s: training-mode logits and input gradient equal PyTorch for the same weights', async (pooling) => {
    const c = fixture[pooling].tiny;
    const [, h, w, ch] = c.input_shape as [number, number, number, number];
    const model = chapterCnn({ pooling, inputShape: [h, w, ch], width: c.width, classes: c.classes });
    for (const [layer, values] of Object.entries(c.weights)) {
      const current = model.getLayer(layer).getWeights();
      // BatchNorm also holds its moving statistics (0 and 1, as PyTorch's fresh buffers); the fixture has gamma and beta.
      const given = values.map((v, i) => tf.tensor(flat(v), current[i]?.shape));
      model.getLayer(layer).setWeights([...given, ...current.slice(values.length)]);
      tf.dispose(given);
    }
    const x = tf.tensor(flat(c.input), c.input_shape);
    const upstream = tf.tensor(flat(c.upstream), [c.input_shape[0] as number, c.classes]);
    await expectNoLeak(() => {
      const y = model.apply(x, { training: true }) as tf.Tensor;
      expectClose(y.dataSync(), flat(c.output), 1e-4, 1e-5);
      const gx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model.apply(v, { training: true }) as tf.Tensor, upstream)))(x);
      expectClose(gx.dataSync(), flat(c.input_grad), 1e-4, 1e-6);
      tf.dispose([y, gx]);
    });
    tf.dispose([x, upstream]);
    model.dispose();
  });

  it.each(CNN_POOLINGS)('%s: maps [2, 24, 24, 3] to [2, 10] logits without leaking tensors', async (pooling) => {
    const model = chapterCnn({ pooling });
    const x = tf.zeros([2, 24, 24, 3]);
    await expectNoLeak(() => {
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 10]);
      y.dispose();
    });
    x.dispose();
    model.dispose();
  });

  it('starts like PyTorch: kernels and biases U(±1/√fanIn), BatchNorm with epsilon 1e-5 and momentum 0.1 (tfjs 0.9)', () => {
    const model = chapterCnn({ seed: 3 });
    for (const [layer, fanIn] of [['r0a_conv', 27], ['r1b_conv', 144], ['logits', 576]] as const) {
      const [kernel, bias] = model.getLayer(layer).getWeights() as [tf.Tensor, tf.Tensor];
      // kaiming-uniform with a = √5: bound gain·√(3 / fanIn) with gain √(2 / (1 + 5)), i.e. 1/√fanIn.
      const bound = 1 / Math.sqrt(fanIn);
      const k = Array.from(kernel.dataSync()).map(Math.abs);
      expect(Math.max(...k)).toBeLessThanOrEqual(bound);
      expect(Math.max(...k)).toBeGreaterThan(0.95 * bound);
      expect(Math.max(...Array.from(bias.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    }
    expect(model.getLayer('r0a_bn').getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    model.dispose();
  });
});

describe('chapterCnn: seeds', () => {
  it.each(['maxblur', 'aastrided'] as const)('%s: the same seed gives bit-identical weights, another seed other weights', (pooling) => {
    const build = (seed?: number) => chapterCnn({ pooling, inputShape: [8, 8, 3], width: 4, seed });
    const [a, b, c, d, e] = [build(0), build(0), build(1), build(), build()];
    expect(weightValues(b)).toEqual(weightValues(a));
    const random = (m: tf.LayersModel) => m.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName())).map((l) => Array.from(l.getWeights()[0]!.dataSync()));
    const [ra, rc, rd, re] = [a, c, d, e].map(random) as [number[][], number[][], number[][], number[][]];
    ra.forEach((kernel, i) => {
      expect(rc[i]).not.toEqual(kernel);
      // Unseeded builds are random as before.
      expect(re[i]).not.toEqual(rd[i]);
    });
    [a, b, c, d, e].forEach((m) => m.dispose());
  });

  it('gives every initializer its own seed: layers of the same shape start differently', () => {
    const model = chapterCnn({ seed: 7, inputShape: [8, 8, 3], width: 4 });
    const kernels = ['r0b_conv', 'r1a_conv', 'r1b_conv', 'r2a_conv', 'r2b_conv'].map((n) => Array.from(model.getLayer(n).getWeights()[0]!.dataSync()));
    for (let i = 1; i < kernels.length; i++) expect(kernels[i]).not.toEqual(kernels[0]);
    const [kernel, bias] = model.getLayer('r0a_conv').getWeights() as [tf.Tensor, tf.Tensor];
    // Kernel and bias share a bound (1/√27) but not a seed: the bias is not the kernel's first values.
    expect(Array.from(bias.dataSync())).not.toEqual(Array.from(kernel.dataSync()).slice(0, 4));
    model.dispose();
  });
});

describe('chapterCnn: bad options', () => {
  it.each([
    [{ pooling: 'median' }, /chapterCnn: pooling must be one of 'max', 'maxblur', 'avg', 'blurpool', 'strided', 'aastrided', got 'median'\./],
    [{ pool: 'max' }, /chapterCnn: option names must be one of 'pooling', 'inputShape', 'classes', 'width', 'name', 'seed', got 'pool'\./],
    [{ inputShape: [24, 24] }, /chapterCnn: inputShape must be \[H, W, C\] \(channels-last, positive integers\), got \[24, 24\]\./],
    [{ inputShape: [24, NaN, 3] }, /chapterCnn: inputShape must be .*, got \[24, NaN, 3\]\./],
    [{ classes: 0 }, /chapterCnn: classes must be a positive integer \(1, 2, 3, \.\.\.\), got 0\./],
    [{ width: 1.5 }, /chapterCnn: width must be a positive integer \(1, 2, 3, \.\.\.\), got 1\.5\./],
    [{ seed: -1 }, /chapterCnn: seed must be an integer in \[0, 4294967295\] or undefined, got -1\./],
    [{ seed: Infinity }, /chapterCnn: seed must be an integer in \[0, 4294967295\] or undefined, got Infinity\./],
    [{ name: '' }, /chapterCnn: name must be a non-empty string or undefined, got ''\./],
    [7, /chapterCnn: options must be an object with some of the keys 'pooling', .*, got 7\./],
  ])('rejects %p, naming the option and the allowed values', (options, message) => {
    expect(() => chapterCnn(options as never)).toThrow(message);
  });

  it('reports an input too small for the blur of maxblur pooling', () => {
    expect(() => chapterCnn({ pooling: 'maxblur', inputShape: [2, 2, 3] })).toThrow(/MaxBlurPool2D: x is too small/);
  });
});
