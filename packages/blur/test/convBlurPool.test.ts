import * as tf from '@tensorflow/tfjs';

import { blur, ConvBlurPool2D, type BlurPadding, type ConvPadding } from '../src';
import fixtures from './fixtures/convBlurPool.json';
import { expectClose, expectNoLeak, flat, seededTensor } from './helpers';

interface ConvCase {
  kernelSize: number;
  padding: ConvPadding;
  filters: number;
  activation: string;
  strides: number;
  blurKernelSize: number;
  blurPadding: BlurPadding;
  input_shape: [number, number, number, number];
  input: unknown;
  kernel: unknown;
  bias: unknown;
  output_shape: number[];
  output: unknown;
  upstream: unknown;
  grad_input: unknown;
  grad_kernel: unknown;
  grad_bias: unknown;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Saves through an in-memory handler, passing the topology through JSON as a file would, and loads it back. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
}

describe('ConvBlurPool2D: PyTorch golden values (conv2d -> activation -> blur)', () => {
  it.each((fixtures.cases as ConvCase[]).map((c) => [`k=${c.kernelSize} ${c.padding} ${c.activation} s=${c.strides} blur k=${c.blurKernelSize} ${c.blurPadding}`, c] as const))(
    '%s: output and gradients for the input, kernel and bias',
    (_name, c) => {
      const { kernelSize, padding, filters, activation, strides, blurKernelSize, blurPadding } = c;
      const layer = new ConvBlurPool2D({ filters, kernelSize, padding, activation, strides, blurKernelSize, blurPadding });
      const x = tf.tensor4d(flat(c.input), c.input_shape);
      layer.apply(x, {}); // builds the weights
      const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      kernel!.assign(tf.tensor4d(flat(c.kernel), kernel!.shape as [number, number, number, number]));
      bias!.assign(tf.tensor1d(flat(c.bias)));
      const upstream = tf.tensor(flat(c.upstream), c.output_shape);
      const y = layer.apply(x) as tf.Tensor;
      expect(y.shape).toEqual(c.output_shape);
      expect(layer.computeOutputShape(c.input_shape)).toEqual(c.output_shape);
      expectClose(y.dataSync(), flat(c.output));
      const loss = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, upstream)) as tf.Scalar;
      const gx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, upstream)))(x);
      expectClose(gx.dataSync(), flat(c.grad_input));
      const { value, grads } = tf.variableGrads(loss, [kernel!, bias!]);
      expectClose(grads[kernel!.name]!.dataSync(), flat(c.grad_kernel));
      expectClose(grads[bias!.name]!.dataSync(), flat(c.grad_bias));
      tf.dispose([x, upstream, y, gx, value, ...Object.values(grads)]);
    },
  );
});

describe('ConvBlurPool2D layer', () => {
  it("replaces conv2d({strides: 2, padding: 'same', activation: 'relu'}): same output shape and weights", () => {
    const input = tf.input({ shape: [25, 24, 3] });
    const aa = new ConvBlurPool2D({ filters: 8 }).apply(input) as tf.SymbolicTensor;
    const strided = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    expect(aa.shape).toEqual(strided.shape);
    expect(aa.shape).toEqual([null, 13, 12, 8]);
    const a = tf.model({ inputs: input, outputs: aa });
    const b = tf.model({ inputs: input, outputs: strided });
    expect(a.countParams()).toBe(b.countParams());
    expect(a.layers[1]!.trainableWeights.map((w) => w.shape)).toEqual(b.layers[1]!.trainableWeights.map((w) => w.shape));
    expect(new ConvBlurPool2D({ filters: 2, strides: 3 }).computeOutputShape([null, null, 10, 4])).toEqual([null, null, 4, 2]);
    a.dispose();
    b.dispose();
  });

  it('with strides 1 is the convolution and activation alone; without a bias it has only the kernel', () => {
    const x = seededTensor([1, 5, 6, 2], 3) as tf.Tensor4D;
    const layer = new ConvBlurPool2D({ filters: 3, strides: 1, useBias: false, activation: 'tanh' });
    const y = layer.apply(x) as tf.Tensor;
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3, 3, 2, 3]]);
    const expected = tf.tanh(tf.conv2d(x, layer.getWeights()[0] as tf.Tensor4D, 1, 'same'));
    expectClose(y.dataSync(), expected.dataSync(), 0, 1e-6);
    // With a stride, the same convolution is blurred (default kernel floor(1.7 * 2) = 3, 'reflect').
    const strided = new ConvBlurPool2D({ filters: 3, useBias: false, activation: 'tanh', weights: layer.getWeights() });
    const z = strided.apply(x) as tf.Tensor;
    const blurred = blur(expected as tf.Tensor4D, { kernelSize: 3, stride: 2, padding: 'reflect' });
    expectClose(z.dataSync(), blurred.dataSync(), 0, 1e-6);
    tf.dispose([x, y, expected, z, blurred]);
  });

  it('with a seed starts bit-identically, differently for another seed, and as a seeded initializer instance says', () => {
    const weights = (args: ConstructorParameters<typeof ConvBlurPool2D>[0]) => {
      const layer = new ConvBlurPool2D(args);
      layer.build([null, 6, 6, 2]);
      return layer.getWeights().map((w) => Array.from(w.dataSync()));
    };
    const a = weights({ filters: 4, seed: 1, biasInitializer: 'randomNormal' });
    expect(weights({ filters: 4, seed: 1, biasInitializer: 'randomNormal' })).toEqual(a);
    const b = weights({ filters: 4, seed: 2, biasInitializer: 'randomNormal' });
    expect(b[0]).not.toEqual(a[0]);
    expect(b[1]).not.toEqual(a[1]);
    const given = tf.initializers.randomUniform({ minval: 5, maxval: 6 });
    const c = weights({ filters: 4, seed: 3, kernelInitializer: given });
    expect(c[0]!.every((v) => v >= 5 && v < 6)).toBe(true);
    expect(weights({ filters: 4, seed: 3, kernelInitializer: given })).toEqual(c);
    expect(given.getConfig().seed).toBeUndefined();
  });

  it('saves and loads with its weights and options, and refuses a config that lacks one', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const layer = new ConvBlurPool2D({ filters: 4, kernelSize: 5, strides: 2, blurKernelSize: 4, blurPadding: 'replicate', activation: 'elu', seed: 7, name: 'aa' });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    const loaded = await roundTrip(model);
    expect(loaded.getLayer('aa').getConfig()).toMatchObject({
      filters: 4,
      kernelSize: 5,
      padding: 'same',
      strides: 2,
      activation: 'elu',
      useBias: true,
      blurKernelSize: 4,
      blurPadding: 'replicate',
    });
    const x = seededTensor([2, 8, 8, 3], 5);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expectClose(b.dataSync(), a.dataSync(), 0, 0);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (s) => ((saved = s), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
    delete topology.config.layers[1].config.blur_padding;
    await expect(tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }))).rejects.toThrow(
      /ConvBlurPool2D.fromConfig: the saved config lacks 'blurPadding'/,
    );
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('trains inside a model without leaking tensors', async () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const layer = new ConvBlurPool2D({ filters: 3, seed: 1 });
    const out = tf.layers.globalAveragePooling2d({}).apply(layer.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = seededTensor([4, 8, 8, 2], 2);
    const ys = tf.ones([4, 3]);
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
    const before = layer.getWeights()[0]!.dataSync().slice();
    await expectNoLeak(async () => {
      await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    });
    expect(Array.from(layer.getWeights()[0]!.dataSync())).not.toEqual(Array.from(before));
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('rejects bad options and inputs by name', () => {
    expect(() => new ConvBlurPool2D(undefined as never)).toThrow(/ConvBlurPool2D: the constructor argument must be an object with at least \{ filters \}, got undefined\./);
    expect(() => new ConvBlurPool2D({} as never)).toThrow(/ConvBlurPool2D: filters must be a positive integer \(1, 2, 3, \.\.\.\), got undefined\./);
    expect(() => new ConvBlurPool2D({ filters: 2, stride: 2 } as never)).toThrow(/ConvBlurPool2D: option names must be one of 'filters', .*, got 'stride'\./);
    expect(() => new ConvBlurPool2D({ filters: 2, padding: 'causal' as never })).toThrow(/ConvBlurPool2D: padding must be one of 'same', 'valid', got 'causal'\./);
    expect(() => new ConvBlurPool2D({ filters: 2, blurPadding: 'zero' as never })).toThrow(/ConvBlurPool2D: blurPadding must be one of 'valid', 'same', 'reflect', 'replicate', got 'zero'\./);
    expect(() => new ConvBlurPool2D({ filters: 2, activation: 'rectify' })).toThrow(/ConvBlurPool2D: activation must be a tfjs activation name.*got 'rectify'\./);
    expect(() => new ConvBlurPool2D({ filters: 2, kernelInitializer: 'kaimingish' as never })).toThrow(/ConvBlurPool2D: kernelInitializer must be a tfjs initializer or its name/);
    expect(() => new ConvBlurPool2D({ filters: 2, seed: -1 })).toThrow(/ConvBlurPool2D: seed must be an integer in \[0, 4294967295\] or undefined, got -1\./);
    expect(() => new ConvBlurPool2D({ filters: 2, useBias: 1 as never })).toThrow(/ConvBlurPool2D: useBias must be true or false, got 1\./);
    expect(() => new ConvBlurPool2D({ filters: 2 }).computeOutputShape([null, 8, 8])).toThrow(/ConvBlurPool2D: input must have rank 4/);
    expect(() => new ConvBlurPool2D({ filters: 2, padding: 'valid', kernelSize: 5 }).computeOutputShape([null, 4, 8, 1])).toThrow(
      /ConvBlurPool2D: x is too small for kernelSize 5 under padding 'valid': spatial axis 1/,
    );
    expect(() => new ConvBlurPool2D({ filters: 2, blurPadding: 'valid', blurKernelSize: 7 }).computeOutputShape([null, 5, 8, 1])).toThrow(
      /ConvBlurPool2D: x is too small for kernelSize 7 under padding 'valid': spatial axis 1 of the convolution's output \[null, 5, 8, 2\]/,
    );
  });
});
