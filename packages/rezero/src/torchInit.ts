import * as tf from '@tensorflow/tfjs';

import { assertOptionalName, assertOptionalSeed, assertOptions, assertPositiveInt } from './validate';

/** A tfjs initializer instance, as `tf.initializers.*` return them. */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/**
 * PyTorch's default weight initialisation of `nn.Conv2d` and `nn.Linear`: kaiming-uniform with
 * a = √5, which is U(±1/√fanIn), i.e. tfjs variance scaling with scale 1/3, fan-in, uniform.
 * Every convolution and dense kernel of this package's builders starts with it.
 *
 * @param seed - makes the values reproducible (a uint32; the same seed, the same values for the
 *   same shape). Default: unseeded.
 * @example
 * ```ts
 * tf.layers.conv2d({ filters: 16, kernelSize: 3, kernelInitializer: torchKernelInitializer() });
 * ```
 */
export function torchKernelInitializer(seed?: number): Initializer {
  assertOptionalSeed('torchKernelInitializer', 'seed', seed);
  return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed });
}

/**
 * PyTorch's default bias initialisation of a `nn.Conv2d` or `nn.Linear` with `fanIn` inputs
 * (in × kh × kw for a convolution): U(±1/√fanIn).
 *
 * @param fanIn - the layer's inputs per output, a positive integer.
 * @param seed - as in {@link torchKernelInitializer}.
 * @example
 * ```ts
 * tf.layers.dense({ units: 10, kernelInitializer: torchKernelInitializer(), biasInitializer: torchBiasInitializer(64) });
 * ```
 */
export function torchBiasInitializer(fanIn: number, seed?: number): Initializer {
  assertPositiveInt('torchBiasInitializer', 'fanIn', fanIn);
  assertOptionalSeed('torchBiasInitializer', 'seed', seed);
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/**
 * PyTorch's `nn.init.kaiming_normal_` with its defaults (fan-in, ReLU gain): N(0, 2 / fanIn), not
 * truncated (tfjs's `heNormal` truncates at two standard deviations). The ReZero authors' CIFAR
 * ResNets initialise every convolution and linear kernel with it.
 *
 * @param fanIn - the layer's inputs per output (in × kh × kw for a convolution), a positive integer.
 * @param seed - as in {@link torchKernelInitializer}.
 * @example
 * ```ts
 * tf.layers.conv2d({ filters: 16, kernelSize: 3, useBias: false, kernelInitializer: kaimingNormalInitializer(3 * 3 * 16) });
 * ```
 */
export function kaimingNormalInitializer(fanIn: number, seed?: number): Initializer {
  assertPositiveInt('kaimingNormalInitializer', 'fanIn', fanIn);
  assertOptionalSeed('kaimingNormalInitializer', 'seed', seed);
  return tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn), seed });
}

/** Options of {@link torchBatchNorm}. */
export interface TorchBatchNormOptions {
  /** Layer name. Default: tfjs's automatic name. */
  name?: string;
}

/**
 * A `tf.layers.batchNormalization` over the last (channel) axis with PyTorch's `BatchNorm1d`/`2d`
 * defaults: epsilon 1e-5, and running averages with PyTorch momentum 0.1, which is tfjs momentum
 * 0.9 (tfjs weights the old value, PyTorch the new one). γ starts at 1, β at 0, as in PyTorch.
 *
 * @example
 * ```ts
 * const y = torchBatchNorm({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
 * ```
 */
export function torchBatchNorm(options: TorchBatchNormOptions = {}): tf.layers.Layer {
  const fn = 'torchBatchNorm';
  assertOptions(fn, options, true, ['name']);
  assertOptionalName(fn, 'name', options.name);
  return tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: options.name });
}
