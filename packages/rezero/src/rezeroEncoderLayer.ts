import type * as tf from '@tensorflow/tfjs';

import { seedSequence } from './seeds';
import {
  assertOptionalMask,
  assertSequence,
  resolveTransformerOptions,
  TRANSFORMER_OPTION_KEYS,
  TransformerBuilder,
  type RezeroTransformerOptions,
} from './transformerParts';
import { assertBoolean, assertOptions } from './validate';

/** Options of {@link rezeroEncoderLayer}. */
export interface RezeroEncoderLayerOptions extends RezeroTransformerOptions {
  /** Self-attention only to earlier positions (PyTorch's `src_mask` = `triu(ones, 1)`). Default false. */
  causal?: boolean;
  /** `[B, T]` float mask, 1 for real positions and 0 for padding that no position may attend to (PyTorch's `src_key_padding_mask`, inverted). */
  keyPaddingMask?: tf.SymbolicTensor;
}

/** Every option of the layer. */
export const ENCODER_OPTION_KEYS = [...TRANSFORMER_OPTION_KEYS, 'causal', 'keyPaddingMask'];

/**
 * A ReZero transformer encoder layer (majumderb/rezero's `RZTXEncoderLayer`) for the functional API:
 * `h = x + α · dropout(selfAttention(x))`, then `h + α · dropout(linear2(dropout(act(linear1(h)))))`, with
 * one residual weight `α` for both sub-layers, starting at 0, and no LayerNorm.
 *
 * Built from a {@link TorchMultiheadAttention} (`${name}_self_attn`), dense layers (`${name}_linear1`,
 * `${name}_linear2`, PyTorch's initialisation), dropout layers (`${name}_dropout1`, `_dropout`,
 * `_dropout2`, only when `dropout` > 0) and one {@link ReZero} gate (`${name}_rezero`) applied twice.
 *
 * @param input - `[B, T, E]` symbolic tensor (batch-first, E known and divisible by `numHeads`).
 * @returns `[B, T, E]`.
 * @example
 * ```ts
 * const tokens = tf.input({ shape: [16, 64] });
 * const h = rezeroEncoderLayer(tokens, { numHeads: 4, dimFeedforward: 128, name: 'enc0' }); // [null, 16, 64]
 * ```
 */
export function rezeroEncoderLayer(input: tf.SymbolicTensor, options: RezeroEncoderLayerOptions): tf.SymbolicTensor {
  const fn = 'rezeroEncoderLayer';
  assertOptions(fn, options, false, ENCODER_OPTION_KEYS);
  const common = resolveTransformerOptions(fn, options);
  const { causal = false, keyPaddingMask } = options;
  assertBoolean(fn, 'causal', causal);
  assertSequence(fn, 'input', input, common.numHeads);
  assertOptionalMask(fn, 'keyPaddingMask', keyPaddingMask, input);
  const build = new TransformerBuilder(common, seedSequence(common.seed));
  const h = build.residual(input, build.attention('self_attn', input, input, causal, keyPaddingMask), 'dropout1');
  return build.residual(h, build.feedForward(h), 'dropout2');
}
