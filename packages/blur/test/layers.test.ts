import * as tf from '@tensorflow/tfjs';

import { antiAliasedConv2d, blur, BlurPool, maxBlurPool2d, MaxBlurPool2D } from '../src';
import { expectClose, expectNoLeak, seededTensor } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Saves through an in-memory handler, passes the topology through JSON as a file would, and loads it back. */
async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('nothing saved');
  const topology = JSON.parse(JSON.stringify(saved.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ ...saved, modelTopology: topology }));
}

describe('BlurPool and MaxBlurPool2D layers', () => {
  it('compute what the ops compute', () => {
    const x = seededTensor([2, 9, 8, 3], 1) as tf.Tensor4D;
    const blurLayer = new BlurPool({ kernelSize: 4, stride: 2, padding: 'same' });
    const poolLayer = new MaxBlurPool2D({ poolSize: 3, ratio: 1.5, padding: 'reflect' });
    const pairs: [tf.Tensor, tf.Tensor][] = [
      [blurLayer.apply(x) as tf.Tensor, blur(x, { kernelSize: 4, stride: 2, padding: 'same' })],
      [poolLayer.apply(x) as tf.Tensor, maxBlurPool2d(x, { poolSize: 3, ratio: 1.5, padding: 'reflect' })],
    ];
    for (const [a, b] of pairs) {
      expect(a.shape).toEqual(b.shape);
      expectClose(a.dataSync(), b.dataSync(), 0, 0);
    }
    tf.dispose([x, ...pairs.flat()]);
  });

  it('computeOutputShape is exact for ranks 3-5 and keeps unknown sizes unknown', () => {
    const cases: [tf.layers.Layer, number[]][] = [
      [new BlurPool(), [2, 9, 3]],
      [new BlurPool({ kernelSize: 5, stride: 3, padding: 'valid' }), [1, 12, 13, 2]],
      [new BlurPool({ kernelSize: 4, stride: 2, padding: 'same' }), [1, 7, 8, 2]],
      [new BlurPool({ kernelSize: 2, stride: 2, padding: 'reflect' }), [1, 5, 6, 7, 1]],
      [new MaxBlurPool2D(), [2, 24, 24, 3]],
      [new MaxBlurPool2D(), [1, 13, 13, 2]],
      [new MaxBlurPool2D({ poolSize: 3 }), [1, 12, 12, 2]],
      [new MaxBlurPool2D({ poolSize: 2, ratio: 2, padding: 'same' }), [2, 7, 9, 1]],
    ];
    for (const [layer, shape] of cases) {
      const y = tf.tidy(() => layer.apply(tf.zeros(shape)) as tf.Tensor);
      expect(layer.computeOutputShape(shape)).toEqual(y.shape);
      expect(layer.computeOutputShape([null, ...shape.slice(1)])).toEqual([null, ...y.shape.slice(1)]);
      const unknown = [null, null, ...shape.slice(2)];
      expect((layer.computeOutputShape(unknown) as (number | null)[])[1]).toBeNull();
      y.dispose();
    }
  });

  it('report their configuration and reject bad options by name', () => {
    expect(new BlurPool().getConfig()).toMatchObject({ kernelSize: 3, stride: 2, padding: 'reflect' });
    expect(new MaxBlurPool2D().getConfig()).toMatchObject({ poolSize: 2, ratio: 1.7, padding: 'valid' });
    expect(() => new BlurPool({ kernelSize: 0 })).toThrow(/BlurPool: kernelSize must be a positive integer/);
    expect(() => new BlurPool({ padding: 'mirror' as never })).toThrow(/BlurPool: padding must be one of/);
    expect(() => new MaxBlurPool2D({ ratio: -1 })).toThrow(/MaxBlurPool2D: ratio must be a finite number > 0/);
    expect(() => new MaxBlurPool2D().computeOutputShape([null, 8, 8])).toThrow(/MaxBlurPool2D: input must have rank 4/);
    expect(() => new BlurPool({ kernelSize: 7, padding: 'valid' }).computeOutputShape([null, 5, 5, 1])).toThrow(
      /BlurPool: x is too small for kernelSize 7 under padding 'valid'/,
    );
  });

  it('reject near misses of their options (which tfjs would ignore) but take the usual layer arguments', () => {
    expect(() => new BlurPool({ strides: 1 } as never)).toThrow(
      /BlurPool: option names must be one of 'kernelSize', 'stride', 'padding' or tfjs layer arguments such as 'name', got 'strides'\./,
    );
    expect(() => new BlurPool({ kernel_size: 5 } as never)).toThrow(/BlurPool: option names must be one of .*, got 'kernel_size'\./);
    expect(() => new BlurPool({ kernel: 5 } as never)).toThrow(/BlurPool: option names must be one of .*, got 'kernel'\./);
    expect(() => new MaxBlurPool2D({ pool_size: 3 } as never)).toThrow(/MaxBlurPool2D: option names must be one of 'poolSize', 'ratio', 'padding'.*, got 'pool_size'\./);
    expect(() => new MaxBlurPool2D(3 as never)).toThrow(/MaxBlurPool2D: the constructor argument must be an object with some of the keys 'poolSize', .*, got 3\./);
    expect(() => new BlurPool({ kernelSize: NaN })).toThrow(/BlurPool: kernelSize must be a positive integer \(1, 2, 3, \.\.\.\), got NaN\./);
    const layer = new BlurPool({ name: 'aa_blur', inputShape: [8, 8, 3], trainable: false, stride: 1 });
    expect(layer.name).toBe('aa_blur');
    expect(layer.computeOutputShape([null, 8, 8, 3])).toEqual([null, 8, 8, 3]);
  });

  it('refuse to load a saved config that lacks an option or holds a bad one (a corrupted file)', async () => {
    const model = tf.sequential({
      layers: [new BlurPool({ inputShape: [8, 8, 1], kernelSize: 4, stride: 2, padding: 'same' }), new MaxBlurPool2D({ padding: 'reflect' })],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const edited = (edit: (layers: { className: string; config: Record<string, unknown> }[]) => void) => {
      const topology = JSON.parse(JSON.stringify(saved?.modelTopology));
      edit(topology.config.layers);
      return tf.loadLayersModel(tf.io.fromMemory({ ...saved, modelTopology: topology }));
    };
    (await edited(() => undefined)).dispose();
    await expect(edited((layers) => delete layers[0]?.config.padding)).rejects.toThrow(/BlurPool.fromConfig: the saved config lacks 'padding'/);
    await expect(edited((layers) => delete layers[1]?.config.ratio)).rejects.toThrow(/MaxBlurPool2D.fromConfig: the saved config lacks 'ratio'/);
    await expect(
      edited((layers) => {
        if (layers[0]) layers[0].config.kernelSize = 2.5;
      }),
    ).rejects.toThrow(/BlurPool: kernelSize must be a positive integer/);
    model.dispose();
  });

  it('save and load inside a model with identical outputs', async () => {
    const input = tf.input({ shape: [12, 12, 3] });
    let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform' }).apply(input) as tf.SymbolicTensor;
    x = new MaxBlurPool2D().apply(x) as tf.SymbolicTensor;
    x = new BlurPool({ kernelSize: 4, stride: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 5 }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    const loaded = await roundTrip(model);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    expect(loaded.layers[2]?.getConfig()).toMatchObject({ poolSize: 2, ratio: 1.7, padding: 'valid' });
    expect(loaded.layers[3]?.getConfig()).toMatchObject({ kernelSize: 4, stride: 2, padding: 'same' });
    const batch = seededTensor([2, 12, 12, 3], 9);
    const a = model.predict(batch) as tf.Tensor;
    const b = loaded.predict(batch) as tf.Tensor;
    expectClose(b.dataSync(), a.dataSync(), 0, 0);
    tf.dispose([batch, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('train inside a model without leaking tensors (gradients flow through them)', async () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' });
    let x = conv.apply(input) as tf.SymbolicTensor;
    x = new MaxBlurPool2D().apply(x) as tf.SymbolicTensor;
    x = new BlurPool().apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = seededTensor([4, 8, 8, 2], 4);
    const ys = tf.ones([4, 3]);
    const before = conv.getWeights()[0]?.dataSync().slice();
    await model.fit(xs, ys, { epochs: 1, verbose: 0 }); // warm-up creates the optimizer's slots
    await expectNoLeak(async () => {
      await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    });
    const after = conv.getWeights()[0]?.dataSync();
    expect(Array.from(after ?? [])).not.toEqual(Array.from(before ?? []));
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('antiAliasedConv2d (exercise 2)', () => {
  it('has the output shape and the parameters of the strided conv -> BN -> ReLU it replaces', () => {
    const input = tf.input({ shape: [24, 24, 3] });
    const aa = tf.model({ inputs: input, outputs: antiAliasedConv2d(input, { filters: 16, strides: 2 }) });
    const strided = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [24, 24, 3], filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
      ],
    });
    expect(aa.outputs[0]?.shape).toEqual(strided.outputs[0]?.shape);
    expect(aa.outputs[0]?.shape).toEqual([null, 12, 12, 16]);
    expect(aa.countParams()).toBe(strided.countParams());
    const odd = tf.input({ shape: [25, 25, 3] });
    expect(antiAliasedConv2d(odd, { filters: 2, strides: 2 }).shape).toEqual([null, 13, 13, 2]);
    expect(antiAliasedConv2d(odd, { filters: 2, strides: 1 }).shape).toEqual([null, 25, 25, 2]);
    aa.dispose();
    strided.dispose();
  });

  it('is a stride-1 convolution followed by blur with the stride (identity conv, no norm, linear activation)', () => {
    const input = tf.input({ shape: [10, 9, 2] });
    const out = antiAliasedConv2d(input, { filters: 2, kernelSize: 1, strides: 2, batchNorm: false, activation: 'linear', name: 'aa' });
    const model = tf.model({ inputs: input, outputs: out });
    const conv = model.getLayer('aa_conv');
    conv.setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]), tf.zeros([2])]);
    const x = seededTensor([3, 10, 9, 2], 8) as tf.Tensor4D;
    const y = model.predict(x) as tf.Tensor;
    const expected = blur(x, { kernelSize: 3, stride: 2, padding: 'reflect' });
    expectClose(y.dataSync(), expected.dataSync(), 0, 1e-6);
    tf.dispose([x, y, expected]);
    model.dispose();
  });

  it("uses PyTorch's BatchNorm2d defaults and adds no blur at stride 1", () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const strided = tf.model({ inputs: input, outputs: antiAliasedConv2d(input, { filters: 4, name: 's2' }) });
    // PyTorch's momentum 0.1 weights the new batch statistic; tfjs's momentum weights the running value: 1 - 0.1.
    expect(strided.getLayer('s2_bn').getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    expect(strided.getLayer('s2_conv').getConfig()).toMatchObject({ strides: [1, 1], padding: 'same', useBias: false });
    expect(strided.getLayer('s2_blur').getConfig()).toMatchObject({ kernelSize: 3, stride: 2, padding: 'reflect' });
    const plain = tf.model({ inputs: input, outputs: antiAliasedConv2d(input, { filters: 4, strides: 1, batchNorm: false, name: 's1' }) });
    expect(plain.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'Activation']);
    expect(plain.getLayer('s1_conv').getConfig()).toMatchObject({ useBias: true });
    strided.dispose();
    plain.dispose();
  });

  it('takes a conv bias and initializers, to match a PyTorch Conv2d left at bias=True', () => {
    const input = tf.input({ shape: [24, 24, 3] });
    const out = antiAliasedConv2d(input, {
      filters: 16,
      useBias: true,
      kernelInitializer: tf.initializers.constant({ value: 0.25 }),
      biasInitializer: tf.initializers.constant({ value: -0.5 }),
      name: 'b',
    });
    const model = tf.model({ inputs: input, outputs: out });
    // 3*3*3*16 kernel + 16 bias + 16 gamma + 16 beta trainable; BN's moving mean and variance are not.
    const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
    expect(trainable).toBe(432 + 16 + 32);
    const [kernel, bias] = model.getLayer('b_conv').getWeights();
    expect(Array.from(kernel!.dataSync()).every((v) => v === 0.25)).toBe(true);
    expect(Array.from(bias!.dataSync()).every((v) => v === -0.5)).toBe(true);
    const small = tf.input({ shape: [8, 8, 3] });
    const noBias = tf.model({ inputs: small, outputs: antiAliasedConv2d(small, { filters: 2, batchNorm: false, useBias: false, name: 'nb' }) });
    expect(noBias.countParams()).toBe(3 * 3 * 3 * 2);
    model.dispose();
    noBias.dispose();
  });

  it('with a seed starts bit-identically each build, differently for another seed, and reseeds a given initializer', () => {
    const build = (options: { seed?: number; kernelInitializer?: 'heNormal' | ReturnType<typeof tf.initializers.zeros> }) => {
      const input = tf.input({ shape: [6, 6, 3] });
      return tf.model({ inputs: input, outputs: antiAliasedConv2d(input, { filters: 4, useBias: true, biasInitializer: 'randomNormal', ...options }) });
    };
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const given = tf.initializers.randomUniform({ minval: 5, maxval: 6 });
    const models = [
      build({ seed: 0 }),
      build({ seed: 0 }),
      build({ seed: 1 }),
      build({}),
      build({}),
      build({ seed: 3, kernelInitializer: 'heNormal' }),
      build({ seed: 3, kernelInitializer: 'heNormal' }),
      build({ seed: 3, kernelInitializer: given }),
      build({ seed: 3, kernelInitializer: given }),
    ];
    const [a, b, c, d, e, f, g, h, i] = models.map(values) as number[][][];
    expect(b).toEqual(a);
    expect(g).toEqual(f);
    expect(i).toEqual(h);
    for (const k of [0, 1]) {
      // 0: kernel, 1: bias (both random here).
      expect(c![k]).not.toEqual(a![k]);
      expect(e![k]).not.toEqual(d![k]);
      expect(f![k]).not.toEqual(a![k]);
    }
    // The given initializer keeps its kind and range, and is not changed itself.
    expect(h![0]!.every((v) => v >= 5 && v < 6)).toBe(true);
    expect(given.getConfig().seed).toBeUndefined();
    models.forEach((m) => m.dispose());
  });

  it('rejects bad options by name', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    expect(() => antiAliasedConv2d(input, { filters: 4, stride: 1 } as never)).toThrow(
      /antiAliasedConv2d: option names must be one of 'filters', 'kernelSize', 'strides', .*'seed', got 'stride'\./,
    );
    expect(() => antiAliasedConv2d(input, undefined as never)).toThrow(/antiAliasedConv2d: options must be an object with at least \{ filters \}, got undefined\./);
    expect(() => antiAliasedConv2d(input, { filters: 0 })).toThrow(/antiAliasedConv2d: filters must be a positive integer/);
    expect(() => antiAliasedConv2d(input, { filters: 4, strides: 1.5 })).toThrow(/antiAliasedConv2d: strides must be a positive integer/);
    expect(() => antiAliasedConv2d(input, { filters: 4, activation: 'rectify' })).toThrow(/antiAliasedConv2d: activation must be a tfjs activation name.*'rectify'/);
    expect(() => antiAliasedConv2d(input, { filters: 4, kernelInitializer: 'kaimingish' as never })).toThrow(
      /antiAliasedConv2d: kernelInitializer must be a tfjs initializer or its name \('glorotUniform', 'heNormal', 'zeros', \.\.\.\), got 'kaimingish'\./,
    );
    expect(() => antiAliasedConv2d(input, { filters: 4, useBias: true, biasInitializer: 'nought' as never })).toThrow(
      /antiAliasedConv2d: biasInitializer must be a tfjs initializer or its name .*, got 'nought'\./,
    );
    expect(() => antiAliasedConv2d(input, { filters: 4, useBias: 'yes' as never })).toThrow(/antiAliasedConv2d: useBias must be true or false, got 'yes'\./);
    expect(() => antiAliasedConv2d(input, { filters: 4, batchNorm: 1 as never })).toThrow(/antiAliasedConv2d: batchNorm must be true or false, got 1\./);
    expect(() => antiAliasedConv2d(input, { filters: 4, seed: 2.5 })).toThrow(/antiAliasedConv2d: seed must be an integer in \[0, 4294967295\] or undefined, got 2\.5\./);
    expect(() => antiAliasedConv2d(input, { filters: NaN })).toThrow(/antiAliasedConv2d: filters must be a positive integer \(1, 2, 3, \.\.\.\), got NaN\./);
    expect(() => antiAliasedConv2d(input, { filters: 4, blurPadding: 'wrap' as never })).toThrow(/antiAliasedConv2d: blurPadding must be one of/);
    const concrete = tf.zeros([1, 8, 8, 3]);
    expect(() => antiAliasedConv2d(concrete as never, { filters: 4 })).toThrow(
      /antiAliasedConv2d: input must be a tf.SymbolicTensor \(from tf.input or a layer's apply\), got a float32 tensor of shape \[1, 8, 8, 3\]\./,
    );
    concrete.dispose();
  });
});
