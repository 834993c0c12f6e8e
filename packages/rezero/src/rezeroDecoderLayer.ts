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
import { assertBoolean, assertOptions, shapeText } from './validate';

/** Options of {@link rezeroDecoderLayer}. */
export interface RezeroDecoderLayerOptions extends RezeroTransformerOptions {
  /**
   * Self-attention only to earlier target positions (PyTorch's `tgt_mask` = `triu(ones, 1)`, what a
   * decoder predicting the next token needs). Default true; PyTorch applies no mask unless given one.
   */
  causal?: boolean;
  /** `[B, T]` float mask over the target, 1 = real, 0 = padding (PyTorch's `tgt_key_padding_mask`, inverted). */
  targetKeyPaddingMask?: tf.SymbolicTensor;
  /** `[B, S]` float mask over the memory, 1 = real, 0 = padding (PyTorch's `memory_key_padding_mask`, inverted). */
  memoryKeyPaddingMask?: tf.SymbolicTensor;
}

/** Every option of the layer. */
export const DECODER_OPTION_KEYS = [...TRANSFORMER_OPTION_KEYS, 'causal', 'targetKeyPaddingMask', 'memoryKeyPaddingMask'];

/**
 * A ReZero transformer decoder layer (majumderb/rezero's `RZTXDecoderLayer`) for the functional API:
 * `h = y + α · dropout(selfAttention(y))`, `h = h + α · dropout(attention(h, memory))`, then
 * `h + α · dropout(linear2(dropout(act(linear1(h)))))`, one residual weight `α` for all three, starting
 * at 0, no LayerNorm. Layers: `${name}_self_attn`, `${name}_cross_attn`, `${name}_linear1`,
 * `${name}_linear2`, `${name}_rezero` and, when `dropout` > 0, `${name}_dropout1` … `_dropout3`, `_dropout`.
 *
 * @param target - `[B, T, E]` symbolic tensor (the decoder's input sequence).
 * @param memory - `[B, S, E]` symbolic tensor (the encoder's output), the same E.
 * @returns `[B, T, E]`.
 * @example
 * ```ts
 * const memory = tf.input({ shape: [12, 32] });
 * const target = tf.input({ shape: [8, 32] });
 * const y = rezeroDecoderLayer(target, memory, { numHeads: 4, dimFeedforward: 64 }); // [null, 8, 32]
 * ```
 */
export function rezeroDecoderLayer(target: tf.SymbolicTensor, memory: tf.SymbolicTensor, options: RezeroDecoderLayerOptions): tf.SymbolicTensor {
  const fn = 'rezeroDecoderLayer';
  assertOptions(fn, options, false, DECODER_OPTION_KEYS);
  const common = resolveTransformerOptions(fn, options);
  const { causal = true, targetKeyPaddingMask, memoryKeyPaddingMask } = options;
  assertBoolean(fn, 'causal', causal);
  const width = assertSequence(fn, 'target', target, common.numHeads);
  if (assertSequence(fn, 'memory', memory, common.numHeads) !== width) {
    throw new Error(`${fn}: target and memory must have the same width E, got [${shapeText(target.shape)}] and [${shapeText(memory.shape)}].`);
  }
  assertOptionalMask(fn, 'targetKeyPaddingMask', targetKeyPaddingMask, target);
  assertOptionalMask(fn, 'memoryKeyPaddingMask', memoryKeyPaddingMask, memory);
  const build = new TransformerBuilder(common, seedSequence(common.seed));
  let h = build.residual(target, build.attention('self_attn', target, target, causal, targetKeyPaddingMask), 'dropout1');
  h = build.residual(h, build.attention('cross_attn', h, memory, false, memoryKeyPaddingMask), 'dropout2');
  return build.residual(h, build.feedForward(h), 'dropout3');
}
