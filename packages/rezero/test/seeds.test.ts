import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {
  bottleneckBlock,
  bottleneckResnet,
  chapterResnet,
  denseResidualBlock,
  denseResidualNet,
  residualBlock,
  resnet,
  segmentedResnet,
  torchBatchNorm,
  torchBiasInitializer,
  torchKernelInitializer,
  type DownsampleInfo,
} from '@aa/rezero';

import { createRng } from '../src/rng';
import { seedSequence } from '../src/seeds';

/** First outputs per seed from an independent Python implementation (test/fixtures/make_rng_vectors.py). */
const vectors = (JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'rng.json'), 'utf8')) as { rng: Record<string, number[]> }).rng;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Every weight value of a model, in weight order. */
function values(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

/** The values of the random weights only (kernels and biases; BatchNorm, ReZero and moving statistics start constant). */
function randomValues(model: tf.LayersModel): number[][] {
  return model.weights.filter((w) => /kernel|bias/.test(w.originalName)).map((w) => Array.from(w.read().dataSync()));
}

/** Builds twice with `seed`, once with `other`, twice unseeded, and checks what a seed promises. */
function checkSeeding(build: (seed?: number) => tf.LayersModel, seed: number, other: number): void {
  const models = [build(seed), build(seed), build(other), build(), build()] as const;
  const [a, b, c, d, e] = models;
  expect(values(b)).toEqual(values(a));
  const [ra, rc, rd, re] = [a, c, d, e].map(randomValues) as [number[][], number[][], number[][], number[][]];
  expect(ra.length).toBeGreaterThan(0);
  ra.forEach((w, i) => {
    expect(rc[i]).not.toEqual(w);
    // Without a seed, every build is random as before.
    expect(re[i]).not.toEqual(rd[i]);
  });
  models.forEach((m) => m.dispose());
}

describe('seeds: the same seed, the same initial weights', () => {
  const blockModel = (block: (x: tf.SymbolicTensor) => tf.SymbolicTensor, shape: number[]) => {
    const input = tf.input({ shape });
    return tf.model({ inputs: input, outputs: block(input) });
  };

  it('residualBlock, bottleneckBlock and denseResidualBlock', () => {
    checkSeeding((seed) => blockModel((x) => residualBlock(x, { channels: 4, stride: 2, seed }), [6, 6, 2]), 0, 1);
    checkSeeding((seed) => blockModel((x) => bottleneckBlock(x, { channels: 8, stride: 2, seed }), [6, 6, 4]), 5, 6);
    checkSeeding((seed) => blockModel((x) => denseResidualBlock(x, { units: 4, seed }), [3]), 7, 8);
  });

  it('gives every initializer of a block its own seed: same-shape convolutions start differently', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const model = tf.model({ inputs: input, outputs: residualBlock(input, { channels: 3, name: 'b', seed: 9 }) });
    const conv1 = Array.from(model.getLayer('b_conv1').getWeights()[0]!.dataSync());
    const conv2 = Array.from(model.getLayer('b_conv2').getWeights()[0]!.dataSync());
    expect(conv2).not.toEqual(conv1);
    model.dispose();
  });

  it('resnet and chapterResnet, seed 0 included (issue 13: --seed 0 did not reproduce a run)', () => {
    checkSeeding((seed) => resnet({ inputShape: [8, 8, 3], classes: 3, width: 2, blocksPerStage: 1, seed }), 0, 1);
    const a = chapterResnet({ seed: 0 });
    const b = chapterResnet({ seed: 0 });
    expect(values(b)).toEqual(values(a));
    // Blocks of the same shape do not share seeds.
    const k1 = Array.from(a.getLayer('block1_conv1').getWeights()[0]!.dataSync());
    const k2 = Array.from(a.getLayer('block2_conv1').getWeights()[0]!.dataSync());
    expect(k2).not.toEqual(k1);
    a.dispose();
    b.dispose();
  });

  it('segmentedResnet, bottleneckResnet and denseResidualNet', () => {
    checkSeeding((seed) => segmentedResnet({ inputShape: [8, 8, 3], classes: 3, width: 2, blocksPerStage: 0, seed }).model, 3, 4);
    checkSeeding((seed) => bottleneckResnet({ inputShape: [8, 8, 3], classes: 3, width: 4, blocksPerStage: 1, seed }), 3, 4);
    checkSeeding((seed) => denseResidualNet({ inputShape: [2, 2, 3], classes: 3, units: 4, blocks: 1, seed }), 3, 4);
  });

  it('hands a downsampler a seed derived from the block seed, and none to an unseeded block', () => {
    const seen = (seed: number | undefined) => {
      const calls: DownsampleInfo[] = [];
      const input = tf.input({ shape: [4, 4, 2] });
      residualBlock(input, {
        channels: 2,
        stride: 2,
        seed,
        downsample: (x, info) => {
          calls.push(info);
          return tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
        },
      });
      return calls.map((c) => c.seed);
    };
    const seeds = seen(12);
    expect(seeds).toHaveLength(2);
    expect(seeds[0]).not.toBe(seeds[1]);
    expect(seen(12)).toEqual(seeds);
    expect(seen(undefined)).toEqual([undefined, undefined]);
  });
});

describe("PyTorch's default initialisers", () => {
  it('torchKernelInitializer is U(±1/√fanIn) (kaiming-uniform, a = √5), reproducible with a seed', () => {
    const shape = [3, 3, 8, 16];
    const fanIn = 3 * 3 * 8;
    const bound = 1 / Math.sqrt(fanIn);
    const a = torchKernelInitializer(42).apply(shape);
    const b = torchKernelInitializer(42).apply(shape);
    const v = Array.from(a.dataSync());
    expect(Array.from(b.dataSync())).toEqual(v);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.98 * bound);
    // The variance of U(-b, b) is b² / 3; 1152 draws put the estimate within a few percent.
    const variance = v.reduce((s, x) => s + x * x, 0) / v.length;
    expect(variance / ((bound * bound) / 3)).toBeCloseTo(1, 1);
    tf.dispose([a, b]);
  });

  it('torchBiasInitializer(fanIn) is U(±1/√fanIn); torchBatchNorm has PyTorch epsilon and momentum', () => {
    const bias = torchBiasInitializer(25, 1).apply([400]);
    const v = Array.from(bias.dataSync());
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.2);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.19);
    bias.dispose();
    expect(torchBatchNorm({ name: 'bn' }).getConfig()).toMatchObject({ name: 'bn', axis: -1, epsilon: 1e-5, momentum: 0.9 });
  });

  it('reject bad arguments by name', () => {
    expect(() => torchBiasInitializer(0)).toThrow(/torchBiasInitializer: fanIn must be a positive integer \(1, 2, 3, \.\.\.\), got 0\./);
    expect(() => torchKernelInitializer(-1)).toThrow(/torchKernelInitializer: seed must be an integer in \[0, 4294967295\] or undefined, got -1\./);
    expect(() => torchBatchNorm({ epsilon: 1e-3 } as never)).toThrow(/torchBatchNorm: option names must be one of 'name', got 'epsilon'\./);
  });
});

describe('the seed generator', () => {
  it.each(Object.entries(vectors))('createRng(%s) gives the reference sequence (sfc32 seeded by splitmix32)', (seed, expected) => {
    const rng = createRng(Number(seed));
    expect(expected.map(() => rng.random())).toEqual(expected);
  });

  it('resumes from getState, and seedSequence derives distinct uint32 seeds >= 1', () => {
    const rng = createRng(3);
    const state = rng.getState();
    const first = [rng.random(), rng.random()];
    rng.setState(state);
    expect([rng.random(), rng.random()]).toEqual(first);
    expect(() => rng.setState([1] as never)).toThrow(/Rng\.setState: state must be an array of four uint32 numbers, got \[1\]\./);
    const next = seedSequence(0);
    const seeds = Array.from({ length: 50 }, () => next());
    expect(new Set(seeds).size).toBe(50);
    expect(seeds.every((s) => Number.isInteger(s) && (s as number) >= 1 && (s as number) < 2 ** 32)).toBe(true);
    expect(seedSequence(undefined)()).toBeUndefined();
  });
});
