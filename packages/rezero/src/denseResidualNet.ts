import * as tf from '@tensorflow/tfjs';

import { activate, batchNorm } from './blockParts';
import { denseResidualBlock } from './denseResidualBlock';
import { seedSequence } from './seeds';
import { torchBiasInitializer, torchKernelInitializer } from './torchInit';
import { assertBoolean, assertOptionalName, assertOptionalSeed, assertOptions, assertPositiveInt, fail } from './validate';

/** Options of {@link denseResidualNet}. */
export interface DenseResidualNetOptions {
  /** `true` (default): ReZero blocks; `false`: plain residual blocks. */
  rezero?: boolean;
  /** Number of classes. Default 100 (exercise 3 runs on CIFAR-100). */
  classes?: number;
  /** Shape of one input, e.g. an image `[H, W, C]` (it is flattened; every size known). Default `[32, 32, 3]`. */
  inputShape?: readonly number[];
  /** Fully connected residual blocks. Default 2. */
  blocks?: number;
  /** Width of the projection and of every block. Default 256. */
  units?: number;
  /** Seed of the weight initialisation (a uint32; see `resnet`). Default: unseeded. */
  seed?: number;
  /** Model name. Default `'rezero_dense_residual'` or `'plain_dense_residual'`. */
  name?: string;
}

/** Every option of {@link denseResidualNet} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  rezero: true,
  classes: true,
  inputShape: true,
  blocks: true,
  units: true,
  seed: true,
  name: true,
} satisfies Record<keyof DenseResidualNetOptions, true>);

/**
 * Exercise 3, fully connected variant: flatten, a dense projection to `units` (with a bias, as
 * PyTorch's `nn.Linear`; `proj`) followed by BatchNorm (`proj_bn`) and ReLU (`proj_relu`), `blocks`
 * {@link denseResidualBlock}s of `units` (`block0_...`), and a dense layer to `classes` logits (`logits`).
 *
 * @returns a model mapping inputs of `inputShape` to `[B, classes]` logits.
 * @example
 * ```ts
 * const model = denseResidualNet({ rezero: false, seed: 0 }); // CIFAR-100 logits
 * ```
 */
export function denseResidualNet(options: DenseResidualNetOptions = {}): tf.LayersModel {
  const fn = 'denseResidualNet';
  assertOptions(fn, options, true, OPTION_KEYS);
  const { rezero = true, classes = 100, inputShape = [32, 32, 3], blocks = 2, units = 256, seed } = options;
  const name = options.name ?? `${rezero === false ? 'plain' : 'rezero'}_dense_residual`;
  assertBoolean(fn, 'rezero', rezero);
  assertPositiveInt(fn, 'classes', classes);
  const ok = Array.isArray(inputShape) && inputShape.length >= 1 && inputShape.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1);
  if (!ok) fail(fn, 'inputShape', inputShape, 'a non-empty array of positive integers, e.g. [32, 32, 3]');
  assertPositiveInt(fn, 'blocks', blocks);
  assertPositiveInt(fn, 'units', units);
  assertOptionalSeed(fn, 'seed', seed);
  assertOptionalName(fn, 'name', name);
  const nextSeed = seedSequence(seed);

  const fanIn = inputShape.reduce((p, n) => p * n, 1);
  const input = tf.input({ shape: [...inputShape], name: `${name}_input` });
  let x = tf.layers.flatten({ name: 'flatten' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ units, kernelInitializer: torchKernelInitializer(nextSeed()), biasInitializer: torchBiasInitializer(fanIn, nextSeed()), name: 'proj' })
    .apply(x) as tf.SymbolicTensor;
  x = batchNorm(x, 'proj_bn');
  x = activate(x, 'relu', 'proj_relu');
  for (let i = 0; i < blocks; i++) x = denseResidualBlock(x, { units, rezero, name: `block${i}`, seed: nextSeed() });
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: torchKernelInitializer(nextSeed()), biasInitializer: torchBiasInitializer(units, nextSeed()), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}
