import type * as tf from '@tensorflow/tfjs';

import { activate, batchNorm, combine, dense, namer, resolveCommon, type CommonBlockOptions } from './blockParts';
import { seedSequence } from './seeds';
import { assertOptions, assertPositiveInt, assertSymbolicInput } from './validate';

/** Options of {@link denseResidualBlock}. */
export interface DenseResidualBlockOptions extends CommonBlockOptions {
  /** Output features. */
  units: number;
}

/** Every option of {@link denseResidualBlock} (the type checker keeps this list complete). */
const OPTION_KEYS = Object.keys({
  units: true,
  activation: true,
  rezero: true,
  initialAlpha: true,
  name: true,
  seed: true,
} satisfies Record<keyof DenseResidualBlockOptions, true>);

/**
 * Exercise 3: a fully connected residual block, the chapter's block with dense layers:
 * `F = dense(units)–BN–act–dense(units)–BN` (bias-free), shortcut = the input, or a bias-free dense
 * projection + BN when the width changes; output `shortcut(x) + alpha * act(F(x))` (ReZero) or
 * `act(shortcut(x) + F(x))` (plain). BatchNorm as PyTorch's `BatchNorm1d` (epsilon 1e-5, momentum 0.1).
 *
 * @param input - `[B, D]` symbolic tensor (D known).
 * @returns `[B, units]`.
 * @example
 * ```ts
 * const x = tf.input({ shape: [64] });
 * const y = denseResidualBlock(x, { units: 64 }); // [null, 64]
 * ```
 */
export function denseResidualBlock(input: tf.SymbolicTensor, options: DenseResidualBlockOptions): tf.SymbolicTensor {
  const fn = 'denseResidualBlock';
  assertOptions(fn, options, false, OPTION_KEYS);
  const { units } = options;
  assertPositiveInt(fn, 'units', units);
  const common = resolveCommon(fn, options);
  const inUnits = assertSymbolicInput(fn, input, 2, '[B, D]');
  const name = namer(common.name);
  const nextSeed = seedSequence(common.seed);

  let f = dense(input, units, name('dense1'), nextSeed());
  f = batchNorm(f, name('bn1'));
  f = activate(f, common.activation, name('act1'));
  f = dense(f, units, name('dense2'), nextSeed());
  f = batchNorm(f, name('bn2'));

  let shortcut = input;
  if (inUnits !== units) {
    shortcut = batchNorm(dense(input, units, name('proj_dense'), nextSeed()), name('proj_bn'));
  }
  return combine(shortcut, f, common, name);
}
