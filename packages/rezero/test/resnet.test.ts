import * as tf from '@tensorflow/tfjs';

import { countTrainableParams, ReZero, resnet, rezeroGates, type DownsampleInfo } from '@aa/rezero';

import { expectClose, expectNoLeak, loadFixture, setAlpha, setFixtureWeights, type Nested } from './helpers';

interface CountCase {
  inChannels: number;
  width: number;
  classes: number;
  blocksPerStage: number;
  rezero: boolean;
  trainable: number;
  bnMovingStats: number;
}
interface TinyCase {
  width: number;
  classes: number;
  blocksPerStage: number;
  rezero: boolean;
  input_shape: number[];
  input: Nested;
  alphas: number[];
  weights: Record<string, Nested[]>;
  output: Nested;
}
const fixture = loadFixture<{ counts: CountCase[]; tiny: TinyCase[] }>('resnet');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The tiny PyTorch network with its weights and alphas loaded. */
function tinyModel(c: TinyCase): tf.LayersModel {
  const model = resnet({
    inputShape: c.input_shape.slice(1),
    classes: c.classes,
    width: c.width,
    blocksPerStage: c.blocksPerStage,
    rezero: c.rezero,
  });
  setFixtureWeights(model, '', c.weights);
  c.alphas.forEach((a, i) => setAlpha(model, `block${i}`, a));
  return model;
}

describe('resnet parameter counts equal PyTorch', () => {
  it('the chapter network: 1,181,222 (ReZero) and 1,181,194 (plain) for 32x32 and 24x24 RGB, 10 classes', () => {
    for (const size of [32, 24]) {
      for (const rezero of [true, false]) {
        const model = resnet({ inputShape: [size, size, 3], classes: 10, rezero });
        expect(countTrainableParams(model)).toBe(rezero ? 1_181_222 : 1_181_194);
        // tfjs also counts BatchNorm's moving mean and variance (PyTorch buffers) in countParams.
        expect(model.countParams()).toBe((rezero ? 1_181_222 : 1_181_194) + 5_280);
        expect(model.layers.filter((l) => l instanceof ReZero)).toHaveLength(rezero ? 28 : 0);
        expect(model.outputs[0]?.shape).toEqual([null, 10]);
        model.dispose();
      }
    }
  });

  it.each(fixture.counts.map((c) => [`C=${c.inChannels} h=${c.width} K=${c.classes} n=${c.blocksPerStage} rezero=${c.rezero}`, c] as const))(
    '%s',
    (_, c) => {
      const model = resnet({
        inputShape: [24, 24, c.inChannels],
        classes: c.classes,
        width: c.width,
        blocksPerStage: c.blocksPerStage,
        rezero: c.rezero,
      });
      expect(countTrainableParams(model)).toBe(c.trainable);
      expect(model.countParams() - countTrainableParams(model)).toBe(c.bnMovingStats);
      model.dispose();
    },
  );
});

describe('resnet against PyTorch', () => {
  it.each(fixture.tiny.map((c) => [c.rezero ? 'ReZero' : 'plain', c] as const))(
    'a tiny %s instance (h=2, one block per stage) gives PyTorch logits in training mode',
    async (_, c) => {
      const model = tinyModel(c);
      await expectNoLeak(() => {
        const x = tf.tensor(c.input as number[]);
        const y = model.apply(x, { training: true }) as tf.Tensor;
        expect(y.shape).toEqual([2, 3]);
        expectClose(y.dataSync(), c.output, 1e-4, 1e-4);
        tf.dispose([x, y]);
      });
      model.dispose();
    },
  );
});

describe('resnet as a tfjs model', () => {
  it('round-trips through save/load with its ReZero gates, weights and predictions', async () => {
    const c = fixture.tiny[0] as TinyCase;
    const model = tinyModel(c);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved?.modelTopology)).toContain('"class_name":"ReZero"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(rezeroGates(loaded)).toEqual(rezeroGates(model));
    expect(rezeroGates(loaded).map((g) => g.alpha)).toEqual(c.alphas.map((a) => Math.fround(a)));
    expect(countTrainableParams(loaded)).toBe(countTrainableParams(model));
    expect(loaded.getLayer('block0_rezero')).toBeInstanceOf(ReZero);
    expect(loaded.getLayer('block0_rezero').trainableWeights).toHaveLength(1);
    const x = tf.tensor(c.input as number[]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('leaks no tensors in forward passes and training steps, and frees everything on dispose', async () => {
    const start = tf.memory().numTensors;
    const model = resnet({ inputShape: [8, 8, 3], classes: 4, width: 2, blocksPerStage: 1 });
    const optimizer = tf.train.sgd(0.05);
    const x = tf.randomNormal([2, 8, 8, 3]);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 3], 'int32'), 4));
    const step = () => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      );
      loss?.dispose();
    };
    step(); // warm-up: anything created once (none expected for SGD) exists before the count
    await expectNoLeak(() => {
      tf.dispose([model.apply(x, { training: true }) as tf.Tensor, model.predict(x) as tf.Tensor]);
      step();
      step();
    });
    // The gates left zero after the steps: the gradient reaches them.
    expect(rezeroGates(model).every((g) => g.alpha !== 0)).toBe(true);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('starts like PyTorch: alphas at 0, conv kernels U(+-1/sqrt(fanIn)), BatchNorm at gamma 1 / beta 0', () => {
    const model = resnet({ inputShape: [24, 24, 3], classes: 10 });
    expect(rezeroGates(model)).toHaveLength(28);
    expect(rezeroGates(model).every((g) => g.alpha === 0)).toBe(true);
    const kernel = model.getLayer('block27_conv2').getWeights()[0] as tf.Tensor;
    const bound = 1 / Math.sqrt(3 * 3 * 64);
    const values = Array.from(kernel.dataSync());
    const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThanOrEqual(bound);
    expect(maxAbs).toBeGreaterThan(0.99 * bound);
    // variance of U(-b, b) is b^2 / 3
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
    const [gamma, beta] = model.getLayer('block27_bn2').getWeights() as tf.Tensor[];
    expect(new Set(gamma?.dataSync())).toEqual(new Set([1]));
    expect(new Set(beta?.dataSync())).toEqual(new Set([0]));
    model.dispose();
  });

  it("starts the classifier like PyTorch's Linear: kernel and bias U(+-1/sqrt(4h))", () => {
    // 100 classes: enough bias values that the largest is close to the bound.
    const model = resnet({ inputShape: [8, 8, 3], classes: 100, width: 16, blocksPerStage: 0 });
    const [kernel, bias] = model.getLayer('logits').getWeights() as tf.Tensor[];
    expect(kernel?.shape).toEqual([64, 100]);
    expect(bias?.shape).toEqual([100]);
    const bound = 1 / Math.sqrt(64);
    for (const t of [kernel, bias] as tf.Tensor[]) {
      const maxAbs = Array.from(t.dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbs).toBeLessThanOrEqual(bound);
      expect(maxAbs).toBeGreaterThan(0.8 * bound);
    }
    model.dispose();
  });

  it('passes activation, kernelSize, initialAlpha and rezero to every block', () => {
    const model = resnet({ inputShape: [8, 8, 3], classes: 4, width: 2, blocksPerStage: 1, activation: 'elu', kernelSize: 5, initialAlpha: 0.25 });
    const blocks = Array.from({ length: 8 }, (_, i) => `block${i}`);
    for (const b of blocks) {
      for (const act of ['act1', 'act']) expect(model.getLayer(`${b}_${act}`).getConfig().activation).toBe('elu');
      for (const conv of ['conv1', 'conv2']) expect(model.getLayer(`${b}_${conv}`).getConfig().kernelSize).toEqual([5, 5]);
    }
    expect(rezeroGates(model).map((g) => g.alpha)).toEqual(blocks.map(() => 0.25));
    model.dispose();

    const plain = resnet({ inputShape: [8, 8, 3], classes: 4, width: 2, blocksPerStage: 1, rezero: false, activation: 'tanh' });
    expect(rezeroGates(plain)).toEqual([]);
    expect(plain.getLayer('block7_act').getConfig().activation).toBe('tanh');
    expect(plain.getLayer('block7_act').input).toBe(plain.getLayer('block7_add').output);
    plain.dispose();
  });

  it('finds the gates of a resnet nested in another model', () => {
    const inner = resnet({ inputShape: [8, 8, 3], classes: 4, width: 2, blocksPerStage: 0, initialAlpha: 0.5, name: 'net' });
    const outer = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [8, 8, 3] }), inner, tf.layers.softmax()] });
    expect(rezeroGates(outer)).toEqual(['block0', 'block1', 'block2', 'block3'].map((b) => ({ layer: `net/${b}_rezero`, alpha: 0.5 })));
    outer.dispose();
  });

  it('builds the anti-aliased variant through the downsample hook (exercise 5) and blocksPerStage 18 (exercise 4)', () => {
    const calls: DownsampleInfo[] = [];
    const model = resnet({
      inputShape: [24, 24, 3],
      classes: 10,
      width: 4,
      blocksPerStage: 18,
      downsample: (x, info) => {
        calls.push(info);
        return tf.layers.averagePooling2d({ poolSize: 2, strides: info.stride, padding: 'same', name: info.name }).apply(x) as tf.SymbolicTensor;
      },
    });
    expect(rezeroGates(model)).toHaveLength(4 * 19);
    expect(calls.map((c) => `${c.name}:${c.path}:${c.channels}`)).toEqual([
      'block19_down:branch:8',
      'block19_proj_down:shortcut:4',
      'block38_down:branch:16',
      'block38_proj_down:shortcut:8',
      'block57_down:branch:16',
      'block57_proj_down:shortcut:16',
    ]);
    expect(model.getLayer('block57_rezero').outputShape).toEqual([null, 3, 3, 16]);
    model.dispose();
  });

  it('accepts unknown spatial sizes', () => {
    const model = resnet({ inputShape: [null, null, 3], classes: 5, width: 2, blocksPerStage: 0 });
    const x = tf.randomNormal([1, 10, 7, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 5]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it.each([
    [{ inputShape: [32, 32], classes: 10 }, /resnet: inputShape must be \[H, W, C\].*got \[32, 32\]\./],
    [{ inputShape: [32, 32, null], classes: 10 }, /resnet: inputShape must be \[H, W, C\].*got \[32, 32, null\]\./],
    [{ inputShape: [32, 32, 3], classes: 0 }, /resnet: classes must be a positive integer.*got 0/],
    [{ inputShape: [32, 32, 3], classes: 10, width: 1.5 }, /resnet: width must be a positive integer.*got 1.5/],
    [{ inputShape: [32, 32, 3], classes: 10, blocksPerStage: -1 }, /resnet: blocksPerStage must be an integer >= 0, got -1/],
    [{ inputShape: [32, 32, 3], classes: 10, initialAlpha: NaN }, /resnet: initialAlpha must be a finite number, got NaN\./],
    [{ inputShape: [32, 32, 3], classes: 10, seed: 0.5 }, /resnet: seed must be an integer in \[0, 4294967295\] or undefined, got 0\.5\./],
    [{ inputShape: [32, NaN, 3], classes: 10 }, /resnet: inputShape must be \[H, W, C\].*got \[32, NaN, 3\]\./],
    [{ inputShape: [32, 32, 3], classes: 10, activation: 'leakyRelu' }, /resnet: activation must be a tfjs activation name.*got 'leakyRelu'/],
    [{ inputShape: [32, 32, 3], classes: 10, kernelSize: 2 }, /resnet: kernelSize must be an odd positive integer.*got 2/],
    [{ inputShape: [32, 32, 3], classes: 10, rezero: 'no' }, /resnet: rezero must be true or false, got 'no'/],
    [{ inputShape: [32, 32, 3], classes: 10, downsample: 'blur' }, /resnet: downsample must be a function or undefined, got 'blur'/],
    [{ inputShape: [32, 32, 3], classes: 10, ReZero: false }, /resnet: option names must be one of 'inputShape', 'classes', .*'rezero'.*, got 'ReZero'\./],
    [{ inputShape: [32, 32, 3], classes: 10, h: 32 }, /resnet: option names must be one of .*, got 'h'\./],
  ])('rejects %j', (options, message) => {
    expect(() => resnet(options as never)).toThrow(message);
  });

  it('checks the model argument of the helpers', () => {
    expect(() => countTrainableParams({} as never)).toThrow(/countTrainableParams: model must be a tf.LayersModel, got \{\}/);
    expect(() => rezeroGates(null as never)).toThrow(/rezeroGates: model must be a tf.LayersModel, got null/);
  });
});
