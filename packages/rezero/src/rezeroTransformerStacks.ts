import type * as tf from '@tensorflow/tfjs';

import { DECODER_OPTION_KEYS, rezeroDecoderLayer, type RezeroDecoderLayerOptions } from './rezeroDecoderLayer';
import { ENCODER_OPTION_KEYS, rezeroEncoderLayer, type RezeroEncoderLayerOptions } from './rezeroEncoderLayer';
import { seedSequence } from './seeds';
import { assertOptionalName, assertOptions, assertPositiveInt, fail } from './validate';

/** Options of {@link rezeroTransformerEncoder}: an encoder layer's options plus the number of layers. */
export interface RezeroTransformerEncoderOptions extends RezeroEncoderLayerOptions {
  /** Encoder layers, each with its own weights and residual weight. */
  numLayers: number;
}

/** Options of {@link rezeroTransformerDecoder}: a decoder layer's options plus the number of layers. */
export interface RezeroTransformerDecoderOptions extends RezeroDecoderLayerOptions {
  /** Decoder layers, each with its own weights and residual weight. */
  numLayers: number;
}

/** Checks `numLayers` and `name`, and gives each layer its name and seed. */
function layerSettings(fn: string, options: { numLayers: number; name?: string; seed?: number }, keys: readonly string[], fallback: string) {
  if (typeof options !== 'object' || options === null) fail(fn, 'options', options, 'an object with at least { numLayers, numHeads }');
  assertOptions(fn, options, false, ['numLayers', ...keys]);
  const { numLayers, name = fallback, seed } = options;
  assertPositiveInt(fn, 'numLayers', numLayers);
  assertOptionalName(fn, 'name', name);
  const nextSeed = seedSequence(seed);
  return Array.from({ length: numLayers }, (_, i) => ({ name: `${name}_layer${i}`, seed: seed === undefined ? undefined : nextSeed() }));
}

/**
 * A stack of `numLayers` {@link rezeroEncoderLayer}s without a final LayerNorm: what majumderb/rezero's
 * `Transformer` builds with `nn.TransformerEncoder(RZTXEncoderLayer(...), num_encoder_layers, None)`.
 * Layers are named `${name}_layer${i}_...` (`name` defaults to `'encoder'`); the same `keyPaddingMask`
 * and `causal` apply to every layer; with a `seed` each layer gets its own seed derived from it.
 *
 * @example
 * ```ts
 * const tokens = tf.input({ shape: [16, 64] });
 * const encoded = rezeroTransformerEncoder(tokens, { numLayers: 6, numHeads: 4, dimFeedforward: 256 });
 * ```
 */
export function rezeroTransformerEncoder(input: tf.SymbolicTensor, options: RezeroTransformerEncoderOptions): tf.SymbolicTensor {
  const fn = 'rezeroTransformerEncoder';
  const layers = layerSettings(fn, options, ENCODER_OPTION_KEYS, 'encoder');
  const { numLayers: _n, ...layerOptions } = options;
  return layers.reduce((x, { name, seed }) => rezeroEncoderLayer(x, { ...layerOptions, name, seed }), input);
}

/**
 * A stack of `numLayers` {@link rezeroDecoderLayer}s over the same `memory`, without a final LayerNorm
 * (majumderb/rezero's `Transformer` decoder). Layers are named `${name}_layer${i}_...` (`name`
 * defaults to `'decoder'`).
 *
 * @example
 * ```ts
 * const decoded = rezeroTransformerDecoder(target, encoded, { numLayers: 6, numHeads: 4, dimFeedforward: 256 });
 * ```
 */
export function rezeroTransformerDecoder(
  target: tf.SymbolicTensor,
  memory: tf.SymbolicTensor,
  options: RezeroTransformerDecoderOptions,
): tf.SymbolicTensor {
  const fn = 'rezeroTransformerDecoder';
  const layers = layerSettings(fn, options, DECODER_OPTION_KEYS, 'decoder');
  const { numLayers: _n, ...layerOptions } = options;
  return layers.reduce((y, { name, seed }) => rezeroDecoderLayer(y, memory, { ...layerOptions, name, seed }), target);
}
