/**
 * The addon's own loops split work over every OpenMP thread from `parallelMinElements()` elements
 * on (native/common.h). The other tests use small shapes, which stay on one thread; here every
 * threaded loop runs on inputs above that size with 2 threads, against the cpu backend (tfjs-core's
 * own definitions) and, for the element-wise kernels whose result cannot depend on the split,
 * bit for bit against the same kernel on 1 thread.
 */
import * as tf from '@tensorflow/tfjs';

import { nativeAddon } from '../src/native';
import { registerOneDnnBackend, threadCount } from '../src/index';
import { compareBackends, describeNative, expectNative, rand, runOn } from './helpers';

// [8, 24, 24, 32]: 147,456 elements, an activation of the chapter's ResNet at batch 8.
const ACT = [8, 24, 24, 32];
const ACT_SIZE = ACT.reduce((a, b) => a * b, 1);

type Case = [name: string, kernels: string[], f: () => tf.Tensor | tf.Tensor[]];

/** Runs f on onednn with `threads` threads; returns every output's values. */
async function onThreads(threads: number, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  registerOneDnnBackend({ threads });
  return (await runOn('onednn', f)).map((o) => o.values);
}

describeNative('threaded native loops (inputs above the parallel threshold, 2 threads)', () => {
  let defaultThreads = 1;
  beforeAll(() => {
    defaultThreads = threadCount();
    registerOneDnnBackend({ threads: 2 });
  });
  afterAll(async () => {
    registerOneDnnBackend({ threads: defaultThreads });
    await tf.setBackend('cpu');
  });

  test('the inputs below are large enough to take the threaded paths', () => {
    const min = nativeAddon().parallelMinElements();
    expect(min).toBeGreaterThan(1);
    // The smallest threaded workload below: the [C]-broadcast add and the pools' outputs (a quarter of ACT).
    expect(ACT_SIZE / 4).toBeGreaterThanOrEqual(min);
    expect(threadCount()).toBe(2);
  });

  const x = () => rand(ACT, 1);
  const y = () => rand(ACT, 2);
  const channel = () => rand([ACT[3] as number], 3, 0.5, 1.5);

  const elementwise: Case[] = [
    ['relu', ['Relu'], () => tf.relu(x())],
    ['exp, sqrt, tanh, sigmoid', ['Exp', 'Sqrt', 'Tanh', 'Sigmoid'], () => [tf.exp(x()), tf.sqrt(tf.abs(x())), tf.tanh(x()), tf.sigmoid(x())]],
    ['add of equal shapes', ['Add'], () => tf.add(x(), y())],
    ['multiply by a [C] vector', ['Multiply'], () => tf.mul(x(), channel())],
    ['subtract a [N,1,1,C] tensor', ['Sub'], () => tf.sub(x(), rand([8, 1, 1, 32], 4))],
    ['divide by a scalar', ['RealDiv'], () => tf.div(x(), tf.scalar(3))],
    ['addN of three', ['AddN'], () => tf.addN([x(), y(), rand(ACT, 5)])],
    ['transpose NHWC -> NCHW', ['Transpose'], () => tf.transpose(x(), [0, 3, 1, 2])],
    ['slice', ['Slice'], () => tf.slice(x(), [1, 2, 3, 4], [6, 20, 19, 24])],
    ['tile', ['Tile'], () => tf.tile(rand([4, 24, 24, 16], 6), [2, 1, 1, 2])],
    ['pad', ['PadV2'], () => tf.pad(x(), [[0, 0], [1, 2], [2, 1], [0, 0]], 0.5)],
    ['concat on channels', ['Concat'], () => tf.concat([x(), y()], 3)],
    ['max pool 2x2', ['MaxPool'], () => tf.maxPool(x() as tf.Tensor4D, 2, 2, 'valid')],
    ['average pool 3x3 same', ['AvgPool'], () => tf.avgPool(x() as tf.Tensor4D, 3, 1, 'same')],
    [
      'max and average pool gradients',
      ['MaxPoolGrad', 'AvgPoolGrad'],
      () => {
        const g = tf.grads((a: tf.Tensor) => tf.add(tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')), tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid'), 0.5))));
        return g([x()]);
      },
    ],
    ['ReLU gradient', ['OneDnnReluGrad'], () => tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), rand(ACT, 7))))([x()])],
    ['matmul with a bias', ['_FusedMatMul'], () => tf.fused.matMul({ a: rand([512, 96], 8), b: rand([96, 300], 9), bias: rand([300], 10) })],
    ['softmax of 2,048 rows', ['Softmax'], () => tf.softmax(rand([2048, 64], 11, -4, 4))],
  ];

  test.each(elementwise)('%s: same as cpu, and bit for bit the same as on 1 thread', async (_name, kernels, f) => {
    registerOneDnnBackend({ threads: 2 });
    const stats = await compareBackends(f, { atol: 1e-5, rtol: 1e-5 });
    expectNative(stats, ...kernels);
    const two = await onThreads(2, f);
    const one = await onThreads(1, f);
    registerOneDnnBackend({ threads: 2 });
    expect(two.length).toBe(one.length);
    two.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from((one[i] as Float32Array).buffer))).toBe(true));
  });

  // Reductions and statistics add partial sums per thread, so only closeness to cpu holds.
  const reductions: Case[] = [
    ['sum over N, H, W (per channel)', ['Sum'], () => tf.sum(x(), [0, 1, 2])],
    ['mean over the last axis', ['Mean'], () => tf.mean(x(), -1)],
    ['max and min over H, W', ['Max', 'Min'], () => [tf.max(x(), [1, 2]), tf.min(x(), [1, 2])]],
    ['batch norm with given statistics', ['FusedBatchNorm'], () => tf.batchNorm(x(), rand([32], 12, -0.2, 0.2), channel(), rand([32], 13), channel(), 1e-3)],
    [
      'batch norm gradient with given statistics',
      ['OneDnnFusedBatchNormGrad'],
      () => {
        const mean = rand([32], 14, -0.2, 0.2);
        const variance = channel();
        const g = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), rand(ACT, 15))));
        return g([x(), mean, variance, channel(), rand([32], 16)]);
      },
    ],
    [
      'training-mode batch norm (moments, its deferred centring, the folded gradient)',
      ['OneDnnBatchNormTrainGrad'],
      () => {
        const g = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, o, s, 1e-3), rand(ACT, 17)));
        });
        const { mean, variance } = tf.moments(x(), [0, 1, 2]);
        // Reading the centred square materialises the deferred tensors.
        return [...g([x(), channel(), rand([32], 18)]), mean, variance, tf.square(tf.sub(x(), mean))];
      },
    ],
  ];

  test.each(reductions)('%s: same as cpu', async (_name, kernels, f) => {
    registerOneDnnBackend({ threads: 2 });
    const stats = await compareBackends(f, { atol: 1e-4, rtol: 1e-4 });
    expectNative(stats, ...kernels);
  });
});
