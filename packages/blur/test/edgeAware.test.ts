import * as tf from '@tensorflow/tfjs';

import { edgeAwareBlurPool2d, EdgeAwareBlurPool2D } from '../src';
import { expectClose, expectNoLeak, naiveBlur, seededTensor } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Mirrors axes 1 and 2 of a `[B, H, W, C]` array by `p` cells (edge not repeated), from the definition. */
function reflectPad(values: ArrayLike<number>, [b, h, w, c]: number[], p: number): { values: number[]; shape: number[] } {
  const src = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const out: number[] = [];
  for (let ib = 0; ib < b!; ib++)
    for (let i = -p; i < h! + p; i++)
      for (let j = -p; j < w! + p; j++)
        for (let k = 0; k < c!; k++) out.push(values[((ib * h! + src(i, h!)) * w! + src(j, w!)) * c! + k] as number);
  return { values: out, shape: [b!, h! + 2 * p, w! + 2 * p, c!] };
}

/** Crops `p` cells off both ends of axes 1 and 2. */
function crop(values: number[], [b, h, w, c]: number[], p: number): number[] {
  const out: number[] = [];
  for (let ib = 0; ib < b!; ib++)
    for (let i = p; i < h! - p; i++)
      for (let j = p; j < w! - p; j++) for (let k = 0; k < c!; k++) out.push(values[((ib * h! + i) * w! + j) * c! + k] as number);
  return out;
}

describe('edgeAwareBlurPool2d', () => {
  it('keeps a step edge sharp and blurs the flat regions into themselves', () => {
    const left = tf.fill([1, 6, 4, 1], 0.1);
    const right = tf.fill([1, 6, 4, 1], 0.9);
    const step = tf.concat([left, right], 2) as tf.Tensor4D;
    const y = edgeAwareBlurPool2d(step);
    // A blur of flat regions is the region's value; at the step (and its dilation) the input is kept.
    expectClose(y.dataSync(), step.dataSync(), 0, 1e-6);
    tf.dispose([left, right, step, y]);
  });

  it('blurs everything when no cell passes the threshold: then it is the binomial blur of the mirrored input', () => {
    const x = tf.add(1, tf.mul(0.01, seededTensor([2, 5, 6, 2], 3))) as tf.Tensor4D; // ratios within 1.02: no edges
    const y = edgeAwareBlurPool2d(x, { kernelSize: 5 });
    const padded = reflectPad(x.dataSync(), x.shape, 2);
    const blurred = naiveBlur(padded.values, padded.shape, { kernelSize: 5, stride: 1, padding: 'same' });
    expectClose(y.dataSync(), crop(blurred.values, blurred.shape, 2), 0, 1e-6);
    tf.dispose([x, y]);
  });

  it('treats negative cells as no edge and keeps its gradient finite there (PyTorch compares NaN as false)', () => {
    const x = tf.sub(seededTensor([1, 5, 5, 1], 5), 2) as tf.Tensor4D; // all negative: log2 is NaN
    const y = edgeAwareBlurPool2d(x);
    const padded = reflectPad(x.dataSync(), x.shape, 2);
    const blurred = naiveBlur(padded.values, padded.shape, { kernelSize: 3, stride: 1, padding: 'same' });
    expectClose(y.dataSync(), crop(blurred.values, blurred.shape, 2), 0, 1e-6);
    const g = tf.grad((v: tf.Tensor) => tf.sum(edgeAwareBlurPool2d(v as tf.Tensor4D)))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, g]);
  });

  it.each([
    [{ kernelSize: 3 }, 1],
    [{ kernelSize: 5, edgeThreshold: 1.05, edgeDilationKernelSize: 5 }, 2],
    [{ kernelSize: 7, edgeThreshold: 1.5, edgeDilationKernelSize: 1 }, 3],
  ])('is linear in x for a fixed mask, so <f(x), u> = <x, grad <f(x), u>> (%p)', (options, seed) => {
    // Positive input with edges between two levels, so both branches of the mask are taken.
    const levels = tf.tidy(() => tf.add(0.3, tf.mul(tf.cast(tf.greater(seededTensor([2, 7, 8, 2], seed), 0), 'float32'), 2)));
    const x = tf.tidy(() => tf.mul(levels, tf.add(1, tf.mul(0.01, seededTensor([2, 7, 8, 2], seed + 10))))) as tf.Tensor4D;
    const u = seededTensor([2, 7, 8, 2], seed + 20);
    const y = edgeAwareBlurPool2d(x, options);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(edgeAwareBlurPool2d(v as tf.Tensor4D, options), u)))(x);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);
    const lhs = dot(y.dataSync(), u.dataSync());
    expect(Math.abs(lhs - dot(x.dataSync(), g.dataSync()))).toBeLessThan(1e-4 * (1 + Math.abs(lhs)));
    tf.dispose([levels, x, u, y, g]);
  });

  it('leaves no tensor behind, forward or backward', async () => {
    const x = tf.abs(seededTensor([1, 6, 6, 2], 7)) as tf.Tensor4D;
    await expectNoLeak(() => {
      edgeAwareBlurPool2d(x).dispose();
      tf.grad((v: tf.Tensor) => tf.sum(edgeAwareBlurPool2d(v as tf.Tensor4D, { kernelSize: 5 })))(x).dispose();
    });
    x.dispose();
  });

  it.each([
    [{ kernelSize: 4 }, /edgeAwareBlurPool2d: kernelSize must be an odd positive integer \(1, 3, 5, \.\.\.\), got 4\./],
    [{ edgeThreshold: 0 }, /edgeAwareBlurPool2d: edgeThreshold must be a finite number > 0, got 0\./],
    [{ edgeDilationKernelSize: 2 }, /edgeAwareBlurPool2d: edgeDilationKernelSize must be an odd positive integer .*, got 2\./],
    [{ epsilon: -1e-6 }, /edgeAwareBlurPool2d: epsilon must be a finite number >= 0, got -0\.000001\./],
    [{ edge_threshold: 2 }, /edgeAwareBlurPool2d: option names must be one of 'kernelSize', 'edgeThreshold', 'edgeDilationKernelSize', 'epsilon', got 'edge_threshold'\./],
  ])('rejects %p by name', (options, message) => {
    const x = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
    expect(() => edgeAwareBlurPool2d(x, options as never)).toThrow(message);
    x.dispose();
  });

  it('rejects inputs too small to mirror and inputs of the wrong rank or dtype', () => {
    const small = tf.ones([1, 2, 5, 1]) as tf.Tensor4D;
    const rank3 = tf.ones([1, 5, 1]);
    const ints = tf.ones([1, 5, 5, 1], 'int32');
    expect(() => edgeAwareBlurPool2d(small)).toThrow(/edgeAwareBlurPool2d: x is too small: spatial axis 1 of shape \[1, 2, 5, 1\] has 2 cells, needs at least 3/);
    expect(() => edgeAwareBlurPool2d(rank3 as never)).toThrow(/edgeAwareBlurPool2d: x must be a float32 tf.Tensor of shape \[B, H, W, C\]/);
    expect(() => edgeAwareBlurPool2d(ints as never)).toThrow(/edgeAwareBlurPool2d: x must be a float32 .*got an int32 tensor/);
    tf.dispose([small, rank3, ints]);
  });
});

describe('EdgeAwareBlurPool2D layer', () => {
  it('keeps the shape, reports its config and saves and loads inside a model with identical outputs', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const layer = new EdgeAwareBlurPool2D({ kernelSize: 5, edgeThreshold: 1.5, name: 'edges' });
    const output = layer.apply(input) as tf.SymbolicTensor;
    expect(output.shape).toEqual([null, null, null, 3]);
    expect(layer.computeOutputShape([2, 9, 8, 3])).toEqual([2, 9, 8, 3]);
    expect(layer.getConfig()).toMatchObject({ kernelSize: 5, edgeThreshold: 1.5, edgeDilationKernelSize: 3, epsilon: 1e-6 });
    const model = tf.model({ inputs: input, outputs: output });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
    expect(loaded.getLayer('edges').getClassName()).toBe('EdgeAwareBlurPool2D');
    const x = tf.abs(seededTensor([1, 6, 7, 3], 9));
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expectClose(b.dataSync(), a.dataSync(), 0, 0);
    // Saved configs are snake_case, as Keras writes them.
    delete topology.config.layers[1].config.edge_threshold;
    await expect(tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }))).rejects.toThrow(
      /EdgeAwareBlurPool2D.fromConfig: the saved config lacks 'edgeThreshold'/,
    );
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('rejects bad options and inputs by name', () => {
    expect(() => new EdgeAwareBlurPool2D({ kernelSize: 2 })).toThrow(/EdgeAwareBlurPool2D: kernelSize must be an odd positive integer/);
    expect(() => new EdgeAwareBlurPool2D({ threshold: 2 } as never)).toThrow(/EdgeAwareBlurPool2D: option names must be one of .*, got 'threshold'\./);
    expect(() => new EdgeAwareBlurPool2D().computeOutputShape([null, 8, 8])).toThrow(/EdgeAwareBlurPool2D: input must have rank 4/);
    expect(() => new EdgeAwareBlurPool2D().computeOutputShape([null, 8, 2, 1])).toThrow(/EdgeAwareBlurPool2D: x is too small: spatial axis 2/);
  });
});
