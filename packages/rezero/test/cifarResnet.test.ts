import * as tf from '@tensorflow/tfjs';

import { cifarResnet, countTrainableParams, kaimingNormalInitializer, rezeroGates, ZeroPadShortcut } from '@aa/rezero';

import { bnSampleCount, expectClose, expectNoLeak, loadFixture, setAlpha, setFixtureWeights, variableOf, type Nested } from './helpers';

interface ResNetCase {
  rezero: boolean;
  width: number;
  classes: number;
  blocksPerStage: number;
  input_shape: number[];
  input: Nested;
  weights: Record<string, Nested[]>;
  alphas: Record<string, number>;
  output: Nested;
  upstream: Nested;
  grads: { input: Nested; layers: Record<string, Nested[]>; alphas: Record<string, number> };
  running: Record<string, { mean: number[]; var: number[] }>;
}

const fixture = loadFixture<{ counts: Record<string, number>; cases: ResNetCase[] }>('cifarResnet');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('cifarResnet: the ReZero authors\' CIFAR ResNet (ReZero-examples)', () => {
  it.each([20, 56, 110])("ResNet-%i has the notebook's trainable parameter counts, with and without ReZero", (depth) => {
    for (const rezero of [true, false]) {
      const model = cifarResnet({ depth, rezero });
      expect(countTrainableParams(model)).toBe(fixture.counts[`resnet${depth}_${rezero ? 'rezero' : 'plain'}`]);
      expect(model.name).toBe(rezero ? `rezero_resnet${depth}` : `resnet${depth}`);
      // depth counts the layers with weights: every convolution and the classifier.
      const weighted = model.layers.filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()));
      expect(weighted).toHaveLength(depth);
      if (rezero) expect(rezeroGates(model)).toHaveLength(depth - 2 >> 1);
      model.dispose();
    }
  });

  it.each(fixture.cases.map((c) => [c.rezero ? 'ReZero' : 'plain', c] as const))(
    'a width-4 depth-8 %s network matches PyTorch: training-mode logits, BatchNorm statistics and every gradient',
    (_name, c) => {
      const model = cifarResnet({ depth: 6 * c.blocksPerStage + 2, rezero: c.rezero, width: c.width, classes: c.classes, inputShape: c.input_shape.slice(1) });
      setFixtureWeights(model, '', c.weights);
      for (const [block, alpha] of Object.entries(c.alphas)) setAlpha(model, block, alpha);
      const x = tf.tensor(c.input as number[]);
      const upstream = tf.tensor(c.upstream as number[]);
      const y = model.apply(x, { training: true }) as tf.Tensor;
      expectClose(y.dataSync(), c.output);
      y.dispose();
      for (const [bn, stats] of Object.entries(c.running)) {
        const [, , mean, variance] = model.getLayer(bn).getWeights();
        expectClose(mean!.dataSync(), stats.mean);
        // PyTorch feeds the unbiased batch variance into its running average, tfjs the biased one.
        const n = bnSampleCount(model, bn, c.input_shape[0]!);
        expectClose(variance!.dataSync(), stats.var.map((v) => 0.9 + ((v - 0.9) * (n - 1)) / n));
      }
      const loss = (input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, upstream)) as tf.Scalar;
      const gx = tf.grad(loss)(x);
      expectClose(gx.dataSync(), c.grads.input);
      const wanted: { variable: tf.Variable; expected: Nested }[] = [];
      for (const [layer, grads] of Object.entries(c.grads.layers)) grads.forEach((g, i) => wanted.push({ variable: variableOf(model, layer, i), expected: g }));
      const alphas = Object.entries(c.grads.alphas).map(([block, g]) => ({ variable: variableOf(model, `${block}_rezero`, 0), expected: [g] as Nested }));
      const all = [...wanted, ...alphas];
      const { value, grads } = tf.variableGrads(() => loss(x), all.map((w) => w.variable));
      for (const { variable, expected } of all) expectClose(grads[variable.name]!.dataSync(), expected);
      tf.dispose([x, upstream, gx, value, ...Object.values(grads)]);
      model.dispose();
    },
  );

  it('adds the skip after the nonlinearity: every block starts as its shortcut (alpha = 0)', () => {
    const model = cifarResnet({ depth: 8, width: 4, inputShape: [8, 8, 3], seed: 2 });
    expect(rezeroGates(model).map((g) => g.alpha)).toEqual([0, 0, 0]);
    const names = model.layers.map((l) => l.name);
    expect(names.filter((n) => n.startsWith('block1_'))).toEqual([
      'block1_conv1_pad',
      'block1_conv1',
      'block1_bn1',
      'block1_act1',
      'block1_conv2',
      'block1_bn2',
      'block1_shortcut',
      'block1_act',
      'block1_rezero',
    ]);
    // With every gate at 0 the stages are their shortcuts: the logits only see the stem through subsampling and zero channels.
    const x = tf.randomNormal([2, 8, 8, 3]);
    const stem = tf.model({ inputs: model.inputs, outputs: model.getLayer('stem_relu').output as tf.SymbolicTensor });
    const last = tf.model({ inputs: model.inputs, outputs: model.getLayer('block2_rezero').output as tf.SymbolicTensor });
    const s = stem.predict(x) as tf.Tensor4D;
    const expected = tf.pad(tf.avgPool(tf.avgPool(s, 1, 2, 'valid'), 1, 2, 'valid'), [[0, 0], [0, 0], [0, 0], [6, 6]]);
    const got = last.predict(x) as tf.Tensor;
    expectClose(got.dataSync(), expected.dataSync(), 0, 1e-7);
    tf.dispose([x, s, expected, got]);
    model.dispose();
  });

  it('is reproducible with a seed, starts with untruncated kaiming-normal kernels, and saves and loads', async () => {
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const a = cifarResnet({ depth: 8, width: 4, inputShape: [8, 8, 3], seed: 11 });
    const b = cifarResnet({ depth: 8, width: 4, inputShape: [8, 8, 3], seed: 11 });
    expect(weights(b)).toEqual(weights(a));
    b.dispose();
    const big = cifarResnet({ depth: 20, seed: 3 });
    const kernel = Array.from(big.getLayer('block8_conv2').getWeights()[0]!.dataSync());
    const std = Math.sqrt(kernel.reduce((s, v) => s + v * v, 0) / kernel.length);
    expect(Math.abs(std / Math.sqrt(2 / (9 * 64)) - 1)).toBeLessThan(0.03);
    // tfjs's heNormal would stop at 2 standard deviations; 36,864 normal draws go past 3.5.
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(3.5 * std);
    big.dispose();

    let saved: tf.io.ModelArtifacts | undefined;
    await a.save(tf.io.withSaveHandler(async (s) => ((saved = s), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) }));
    expect(loaded.getLayer('block1_shortcut').getConfig()).toMatchObject({ channels: 8, stride: 2 });
    const x = tf.randomNormal([2, 8, 8, 3]);
    const p = a.predict(x) as tf.Tensor;
    const q = loaded.predict(x) as tf.Tensor;
    expectClose(q.dataSync(), p.dataSync(), 0, 0);
    await expectNoLeak(() => {
      (loaded.predict(x) as tf.Tensor).dispose();
    });
    tf.dispose([x, p, q]);
    a.dispose();
    loaded.dispose();
  });

  it('rejects bad options by name', () => {
    expect(() => cifarResnet({ depth: 21 })).toThrow(/cifarResnet: depth must be 6n \+ 2 for n >= 1 blocks per stage \(8, 14, 20, 32, 44, 56, 110, \.\.\.\), got 21\./);
    expect(() => cifarResnet({ ReZero: true } as never)).toThrow(/cifarResnet: option names must be one of 'depth', 'rezero', .*, got 'ReZero'\./);
    expect(() => cifarResnet({ inputShape: [32, 32] })).toThrow(/cifarResnet: inputShape must be \[H, W, C\]/);
    expect(() => kaimingNormalInitializer(0)).toThrow(/kaimingNormalInitializer: fanIn must be a positive integer/);
  });
});

describe('ZeroPadShortcut (option A)', () => {
  it('keeps every stride-th cell, pads zero channels evenly, and passes the gradient back to those cells', () => {
    const x = tf.tensor4d(Array.from({ length: 5 * 4 * 2 }, (_, i) => i + 1), [1, 5, 4, 2]);
    const layer = new ZeroPadShortcut({ channels: 5, stride: 2 });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 3, 2, 5]);
    expect(layer.computeOutputShape([null, 5, 4, 2])).toEqual([null, 3, 2, 5]);
    const xs = x.arraySync()[0]!;
    const expected = [0, 2, 4].map((i) => [0, 2].map((j) => [0, xs[i]![j]![0]!, xs[i]![j]![1]!, 0, 0]));
    expect(y.arraySync()).toEqual([expected]);
    const u = tf.randomNormal(y.shape);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, u)))(x);
    const us = (u.arraySync() as number[][][][])[0]!;
    const want = xs.map((row, i) => row.map((cell, j) => cell.map((_, k) => (i % 2 === 0 && j % 2 === 0 ? us[i / 2]![j / 2]![k + 1]! : 0))));
    expectClose(g.dataSync(), want.flat(2), 0, 1e-6);
    tf.dispose([x, y, u, g]);
  });

  it('rejects fewer channels than the input and bad options', () => {
    expect(() => new ZeroPadShortcut({ channels: 2 }).computeOutputShape([null, 4, 4, 3])).toThrow(
      /ZeroPadShortcut: input must be \[B, H, W, C\] with a known C of at most channels \(2\), got \[null, 4, 4, 3\]\./,
    );
    expect(() => new ZeroPadShortcut({ channels: 4, strides: 2 } as never)).toThrow(/ZeroPadShortcut: option names must be one of 'channels', 'stride'/);
    expect(() => new ZeroPadShortcut({ channels: 0 })).toThrow(/ZeroPadShortcut: channels must be a positive integer/);
  });
});
