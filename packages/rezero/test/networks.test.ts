import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {
  bottleneckResnet,
  chapterResnet,
  countTrainableParams,
  denseResidualNet,
  ReZero,
  resnet,
  rezeroGates,
  segmentedResnet,
  type DownsampleInfo,
} from '@aa/rezero';

import { expectClose, expectNoLeak, loadFixture } from './helpers';

interface CountCase {
  inChannels: number;
  width: number;
  classes: number;
  blocksPerStage: number;
  rezero: boolean;
  trainable: number;
}
/** PyTorch's counts of the chapter's network (make_fixtures.py). */
const resnetCounts = loadFixture<{ counts: CountCase[] }>('resnet').counts;
const chapterCount = (rezero: boolean) =>
  resnetCounts.find((c) => c.inChannels === 3 && c.width === 16 && c.classes === 10 && c.blocksPerStage === 6 && c.rezero === rezero)!.trainable;

/** PyTorch's counts of exercise 3's networks (make_model_counts.py). */
const networks = (
  JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'networks.json'), 'utf8')) as {
    networks: {
      bottleneckResnet: Array<{ inChannels: number; classes: number; blocksPerStage: number; width: number; rezero: boolean; trainable: number }>;
      denseResidualNet: Array<{ inputShape: number[]; classes: number; blocks: number; units: number; rezero: boolean; trainable: number }>;
    };
  }
).networks;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Copies every weight of `from` into the layer of the same name in `to` (looking inside nested models). */
function copyWeightsByName(from: tf.LayersModel, to: tf.LayersModel): number {
  const targets = new Map<string, tf.layers.Layer>();
  const collect = (m: tf.LayersModel) =>
    m.layers.forEach((l) => (l instanceof tf.LayersModel ? collect(l) : targets.set(l.name, l)));
  collect(to);
  let copied = 0;
  for (const layer of from.layers) {
    if (layer.weights.length === 0) continue;
    const target = targets.get(layer.name);
    if (target === undefined) throw new Error(`no layer ${layer.name} in ${to.name}`);
    target.setWeights(layer.getWeights());
    copied += 1;
  }
  return copied;
}

/** Every weight of a model (nested models included) by layer name. */
function weightsByName(model: tf.LayersModel): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  const collect = (m: tf.LayersModel) =>
    m.layers.forEach((l) => {
      if (l instanceof tf.LayersModel) collect(l);
      else if (l.weights.length > 0) out[l.name] = l.getWeights().map((w) => Array.from(w.dataSync()));
    });
  collect(model);
  return out;
}

describe('chapterResnet', () => {
  it("has PyTorch's parameter counts with the chapter's defaults: 1,181,222 ReZero, 1,181,194 plain", () => {
    expect(chapterCount(true)).toBe(1_181_222);
    expect(chapterCount(false)).toBe(1_181_194);
    for (const rezero of [true, false]) {
      const model = chapterResnet({ rezero });
      expect(countTrainableParams(model)).toBe(chapterCount(rezero));
      expect(model.inputs[0]?.shape).toEqual([null, 32, 32, 3]);
      expect(model.outputs[0]?.shape).toEqual([null, 10]);
      expect(model.layers.filter((l) => l instanceof ReZero)).toHaveLength(rezero ? 28 : 0);
      expect(model.name).toBe(rezero ? 'rezero_resnet' : 'plain_resnet');
      model.dispose();
    }
  });

  it('passes classes, inputShape, width, blocksPerStage, name and a generic downsample hook through', () => {
    const calls: DownsampleInfo[] = [];
    const model = chapterResnet({
      classes: 7,
      inputShape: [12, 12, 1],
      width: 2,
      blocksPerStage: 1,
      name: 'net',
      seed: 4,
      downsample: (x, info) => {
        calls.push(info);
        return tf.layers.averagePooling2d({ poolSize: info.stride, padding: 'same', name: info.name }).apply(x) as tf.SymbolicTensor;
      },
    });
    expect(model.name).toBe('net');
    expect(model.outputs[0]?.shape).toEqual([null, 7]);
    expect(rezeroGates(model)).toHaveLength(8);
    expect(calls.map((c) => c.name)).toEqual(['block2_down', 'block2_proj_down', 'block4_down', 'block4_proj_down', 'block6_down', 'block6_proj_down']);
    // Seeded blocks hand their downsampler a seed of its own.
    expect(new Set(calls.map((c) => c.seed)).size).toBe(6);
    expect(calls.every((c) => Number.isInteger(c.seed))).toBe(true);
    expect(model.getLayer('block6_rezero').outputShape).toEqual([null, 2, 2, 8]);
    model.dispose();
  });

  it.each([
    [{ ReZero: false }, /chapterResnet: option names must be one of 'rezero', 'blocksPerStage', 'classes', 'inputShape', 'width', 'downsample', 'seed', 'name', got 'ReZero'\./],
    [{ rezero: 'no' }, /chapterResnet: rezero must be true or false, got 'no'\./],
    [{ classes: 0 }, /chapterResnet: classes must be a positive integer \(1, 2, 3, \.\.\.\), got 0\./],
    [{ inputShape: [32, 32] }, /chapterResnet: inputShape must be \[H, W, C\] .*, got \[32, 32\]\./],
    [{ width: NaN }, /chapterResnet: width must be a positive integer \(1, 2, 3, \.\.\.\), got NaN\./],
    [{ blocksPerStage: -Infinity }, /chapterResnet: blocksPerStage must be an integer >= 0, got -Infinity\./],
    [{ downsample: 'antialiased' }, /chapterResnet: downsample must be a function or undefined, got 'antialiased'\./],
    [{ seed: 2 ** 32 }, /chapterResnet: seed must be an integer in \[0, 4294967295\] or undefined, got 4294967296\./],
    [null, /chapterResnet: options must be an object or undefined with some of the keys 'rezero', .*, got null\./],
  ])('rejects %p, naming the option', (options, message) => {
    expect(() => chapterResnet(options as never)).toThrow(message);
  });
});

describe('segmentedResnet (for Manifold MixUp)', () => {
  it('has the four stages and the head as models, and the unsegmented parameter count (PyTorch)', () => {
    for (const rezero of [true, false]) {
      const { model, segments } = segmentedResnet({ inputShape: [24, 24, 3], classes: 10, rezero });
      expect(segments.map((s) => s.name)).toEqual(['resnet_stage0', 'resnet_stage1', 'resnet_stage2', 'resnet_stage3', 'resnet_head']);
      expect(segments.every((s) => s instanceof tf.LayersModel)).toBe(true);
      expect(countTrainableParams(model)).toBe(chapterCount(rezero));
      expect(segments.reduce((n, s) => n + countTrainableParams(s), 0)).toBe(chapterCount(rezero));
      expect(segments.map((s) => s.outputs[0]?.shape)).toEqual([
        [null, 24, 24, 16],
        [null, 12, 12, 32],
        [null, 6, 6, 64],
        [null, 3, 3, 64],
        [null, 10],
      ]);
      expect(rezeroGates(model)).toHaveLength(rezero ? 28 : 0);
      model.dispose();
    }
  });

  it('computes what resnet computes for the same weights, whole or segment by segment, forward and backward', async () => {
    const options = { inputShape: [8, 8, 3], classes: 3, width: 2, blocksPerStage: 1 } as const;
    const plain = resnet({ ...options, seed: 1 });
    const { model, segments } = segmentedResnet({ ...options, seed: 2 });
    // Non-zero gates, so every branch matters.
    rezeroGates(plain).forEach((g, i) => {
      const alpha = tf.scalar(0.1 * (i + 1));
      plain.getLayer(g.layer).weights[0]!.write(alpha);
      alpha.dispose();
    });
    expect(copyWeightsByName(plain, model)).toBe(plain.layers.filter((l) => l.weights.length > 0).length);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5);
    await expectNoLeak(() => {
      // Inference first: a training-mode pass moves BatchNorm's running statistics (here once in plain, twice in model).
      for (const training of [false, true]) {
        const expected = plain.apply(x, { training }) as tf.Tensor;
        const whole = model.apply(x, { training }) as tf.Tensor;
        // As manifoldMixupForward runs them: one eager apply per segment (tidy frees the hidden states).
        const stepwise = tf.tidy(() => segments.reduce<tf.Tensor>((h, s) => s.apply(h, { training }) as tf.Tensor, x));
        expect(whole.shape).toEqual([2, 3]);
        expectClose(whole.dataSync(), expected.dataSync(), 1e-5, 1e-6);
        expectClose(stepwise.dataSync(), expected.dataSync(), 1e-5, 1e-6);
        tf.dispose([expected, whole, stepwise]);
      }
      const loss = (m: (v: tf.Tensor) => tf.Tensor) => (v: tf.Tensor) => tf.sum(tf.square(m(v)));
      const g1 = tf.grad(loss((v) => plain.apply(v, { training: true }) as tf.Tensor))(x);
      const g2 = tf.grad(loss((v) => segments.reduce<tf.Tensor>((h, s) => s.apply(h, { training: true }) as tf.Tensor, v)))(x);
      expectClose(g2.dataSync(), g1.dataSync(), 1e-4, 1e-6);
      tf.dispose([g1, g2]);
    });
    // Training the segmented model reaches every weight, the nested ones included.
    expect(model.trainableWeights.length).toBe(plain.trainableWeights.length);
    x.dispose();
    plain.dispose();
    model.dispose();
  });

  it("starts from resnet's weights for the same seed (one stage list, one seed order)", () => {
    const options = { inputShape: [8, 8, 3], classes: 3, width: 2, blocksPerStage: 1, seed: 11 } as const;
    const plain = resnet(options);
    const { model } = segmentedResnet(options);
    const a = weightsByName(plain);
    expect(Object.keys(a).length).toBeGreaterThan(20);
    expect(weightsByName(model)).toEqual(a);
    plain.dispose();
    model.dispose();
  });

  it('accepts unknown spatial sizes and rejects bad options naming segmentedResnet', () => {
    const { model } = segmentedResnet({ inputShape: [null, null, 3], classes: 2, width: 2, blocksPerStage: 0 });
    const x = tf.zeros([1, 9, 7, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 2]);
    tf.dispose([x, y]);
    model.dispose();
    expect(() => segmentedResnet({ inputShape: [8, 8, 3], classes: 2, segments: 5 } as never)).toThrow(
      /segmentedResnet: option names must be one of 'inputShape', 'classes', .*, got 'segments'\./,
    );
    expect(() => segmentedResnet({ inputShape: [8, 8, 3], classes: 2.5 })).toThrow(/segmentedResnet: classes must be a positive integer .*, got 2\.5\./);
  });
});

describe("exercise 3's networks", () => {
  it.each(networks.bottleneckResnet.map((c) => [`C=${c.inChannels} K=${c.classes} n=${c.blocksPerStage} w=${c.width} rezero=${c.rezero}`, c] as const))(
    "bottleneckResnet %s has PyTorch's parameter count",
    (_, c) => {
      const model = bottleneckResnet({ rezero: c.rezero, classes: c.classes, inputShape: [8, 8, c.inChannels], blocksPerStage: c.blocksPerStage, width: c.width });
      expect(countTrainableParams(model)).toBe(c.trainable);
      expect(model.outputs[0]?.shape).toEqual([null, c.classes]);
      model.dispose();
    },
  );

  it.each(networks.denseResidualNet.map((c) => [`[${c.inputShape}] K=${c.classes} blocks=${c.blocks} units=${c.units} rezero=${c.rezero}`, c] as const))(
    "denseResidualNet %s has PyTorch's parameter count",
    (_, c) => {
      const model = denseResidualNet({ rezero: c.rezero, classes: c.classes, inputShape: c.inputShape, blocks: c.blocks, units: c.units });
      expect(countTrainableParams(model)).toBe(c.trainable);
      expect(model.outputs[0]?.shape).toEqual([null, c.classes]);
      model.dispose();
    },
  );

  it("defaults to exercise 3's CIFAR-100 setting and the block layout it documents", () => {
    const bottleneck = bottleneckResnet();
    expect(bottleneck.name).toBe('rezero_bottleneck');
    expect(bottleneck.inputs[0]?.shape).toEqual([null, 32, 32, 3]);
    expect(bottleneck.outputs[0]?.shape).toEqual([null, 100]);
    expect(rezeroGates(bottleneck)).toHaveLength(6);
    expect(bottleneck.getLayer('block2_rezero').outputShape).toEqual([null, 16, 16, 128]);
    expect(bottleneck.getLayer('block5_rezero').outputShape).toEqual([null, 8, 8, 256]);
    expect(bottleneck.getLayer('stem_bn').getConfig()).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
    bottleneck.dispose();
    const dense = denseResidualNet({ rezero: false });
    expect(dense.name).toBe('plain_dense_residual');
    expect(dense.outputs[0]?.shape).toEqual([null, 100]);
    expect(dense.getLayer('block1_act').outputShape).toEqual([null, 256]);
    dense.dispose();
  });

  it('map images to logits without leaking tensors', async () => {
    const nets = [bottleneckResnet({ inputShape: [8, 8, 3], width: 8, blocksPerStage: 1 }), denseResidualNet({ inputShape: [8, 8, 3], units: 16, blocks: 1 })];
    const x = tf.randomNormal([2, 8, 8, 3]);
    await expectNoLeak(() => {
      for (const net of nets) {
        const y = net.apply(x, { training: true }) as tf.Tensor;
        expect(y.shape).toEqual([2, 100]);
        y.dispose();
      }
    });
    x.dispose();
    nets.forEach((n) => n.dispose());
  });

  it.each([
    [() => bottleneckResnet({ blocks: 2 } as never), /bottleneckResnet: option names must be one of 'rezero', 'classes', 'inputShape', 'blocksPerStage', 'width', 'seed', 'name', got 'blocks'\./],
    [() => bottleneckResnet({ width: 0 }), /bottleneckResnet: width must be a positive integer .*, got 0\./],
    [() => bottleneckResnet({ inputShape: [8, 8] }), /bottleneckResnet: inputShape must be \[H, W, C\] .*, got \[8, 8\]\./],
    [() => denseResidualNet({ blocksPerStage: 2 } as never), /denseResidualNet: option names must be one of 'rezero', 'classes', 'inputShape', 'blocks', 'units', 'seed', 'name', got 'blocksPerStage'\./],
    [() => denseResidualNet({ inputShape: [8, null, 3] as never }), /denseResidualNet: inputShape must be a non-empty array of positive integers.*, got \[8, null, 3\]\./],
    [() => denseResidualNet({ units: 1.5 }), /denseResidualNet: units must be a positive integer .*, got 1\.5\./],
    [() => denseResidualNet({ rezero: 0 as never }), /denseResidualNet: rezero must be true or false, got 0\./],
  ])('%#: rejects bad options by name', (build, message) => {
    expect(build).toThrow(message);
  });
});
