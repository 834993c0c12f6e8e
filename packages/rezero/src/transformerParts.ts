import * as tf from '@tensorflow/tfjs';

import { TorchMultiheadAttention } from './attention';
import { namer } from './blockParts';
import { ReZero } from './rezero';
import type { SeedSequence } from './seeds';
import { torchBiasInitializer, torchKernelInitializer } from './torchInit';
import {
  assertActivation,
  assertFiniteNumber,
  assertOptionalName,
  assertOptionalSeed,
  assertPositiveInt,
  fail,
  shapeText,
  type Activation,
} from './validate';

/**
 * Pieces shared by the ReZero transformer layers (internal). Like the residual blocks they build
 * functional-API graphs from stock tfjs layers and leaf layers ({@link TorchMultiheadAttention},
 * {@link ReZero}); the one residual weight of a layer is a single `ReZero` layer applied to every
 * sub-layer, so its weight is shared, as `resweight` is in majumderb/rezero's `RZTX*Layer`s.
 */

/** Options every ReZero transformer layer takes. */
export interface RezeroTransformerOptions {
  /** Attention heads; must divide the model width (the input's last axis, PyTorch's `d_model`). */
  numHeads: number;
  /** Width of the feed-forward block (PyTorch's `dim_feedforward`). Default 2048. */
  dimFeedforward?: number;
  /** Dropout after each sub-layer, inside the feed-forward block and on the attention weights, in training. Default 0.1. */
  dropout?: number;
  /** Activation of the feed-forward block: a tfjs activation name (`'relu'` and `'gelu'` are PyTorch's two). Default `'relu'`. */
  activation?: Activation;
  /** Starting value of the residual weight. Default 0: the layer starts as the identity. */
  initialAlpha?: number;
  /** Prefix of the created layers' names (`${name}_self_attn`, `${name}_rezero`, ...). Default: tfjs' automatic names. */
  name?: string;
  /** Seed of the weight initialisation: each sub-layer gets its own seed derived from it. Default: unseeded. */
  seed?: number;
}

/** The option keys of {@link RezeroTransformerOptions}. */
export const TRANSFORMER_OPTION_KEYS = ['numHeads', 'dimFeedforward', 'dropout', 'activation', 'initialAlpha', 'name', 'seed'];

/** {@link RezeroTransformerOptions} checked, defaults filled in. */
export interface ResolvedTransformerOptions {
  numHeads: number;
  dimFeedforward: number;
  dropout: number;
  activation: Activation;
  initialAlpha: number;
  name: string | undefined;
  seed: number | undefined;
}

/** Validates the shared options. */
export function resolveTransformerOptions(fn: string, options: RezeroTransformerOptions): ResolvedTransformerOptions {
  const { numHeads, dimFeedforward = 2048, dropout = 0.1, activation = 'relu', initialAlpha = 0, name, seed } = options;
  assertPositiveInt(fn, 'numHeads', numHeads);
  assertPositiveInt(fn, 'dimFeedforward', dimFeedforward);
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail(fn, 'dropout', dropout, 'a number in [0, 1)');
  assertActivation(fn, 'activation', activation);
  assertFiniteNumber(fn, 'initialAlpha', initialAlpha);
  assertOptionalName(fn, 'name', name);
  assertOptionalSeed(fn, 'seed', seed);
  return { numHeads, dimFeedforward, dropout, activation, initialAlpha, name, seed };
}

/** Checks a `[B, T, E]` sequence input with a known E divisible by `numHeads`; returns E. */
export function assertSequence(fn: string, what: string, x: unknown, numHeads: number): number {
  const ok = x instanceof tf.SymbolicTensor && x.shape.length === 3 && typeof x.shape[2] === 'number';
  if (!ok) fail(fn, what, x, "a tf.SymbolicTensor of shape [B, T, E] with a known E (from tf.input or a layer's apply)");
  const e = (x as tf.SymbolicTensor).shape[2] as number;
  if (e % numHeads !== 0) throw new Error(`${fn}: numHeads must divide the model width, got numHeads ${numHeads} and ${what} [${shapeText((x as tf.SymbolicTensor).shape)}].`);
  return e;
}

/** Checks an optional key padding mask `[B, S]` for keys of length `keyLength`. */
export function assertOptionalMask(fn: string, what: string, mask: unknown, keys: tf.SymbolicTensor): void {
  if (mask === undefined) return;
  const s = keys.shape[1];
  const ok = mask instanceof tf.SymbolicTensor && mask.shape.length === 2 && (s === null || mask.shape[1] === null || mask.shape[1] === s);
  if (!ok) fail(fn, what, mask, `undefined or a tf.SymbolicTensor of shape [B, ${s ?? 'S'}] (1 = attend, 0 = padding)`);
}

/** Builds the layers of one ReZero transformer layer, sharing the residual gate. */
export class TransformerBuilder {
  private readonly name: (suffix: string) => string | undefined;
  private readonly gate: ReZero;

  constructor(
    private readonly options: ResolvedTransformerOptions,
    private readonly nextSeed: SeedSequence,
  ) {
    this.name = namer(options.name);
    this.gate = new ReZero({ initialAlpha: options.initialAlpha, name: this.name('rezero') });
  }

  /** Multi-head attention of `query` over `keys` (also the values; the query itself for self-attention), with an optional key padding mask. */
  attention(suffix: string, query: tf.SymbolicTensor, keys: tf.SymbolicTensor, causal: boolean, mask?: tf.SymbolicTensor): tf.SymbolicTensor {
    const layer = new TorchMultiheadAttention({
      numHeads: this.options.numHeads,
      dropout: this.options.dropout,
      causal,
      name: this.name(suffix),
      seed: this.nextSeed(),
    });
    // Each tensor once: see TorchMultiheadAttention on tfjs-layers' executor and repeated inputs.
    const sequences = keys === query ? [query] : [query, keys];
    return layer.apply(mask === undefined ? sequences : [...sequences, mask]) as tf.SymbolicTensor;
  }

  /** PyTorch's `linear2(dropout(activation(linear1(x))))`. */
  feedForward(x: tf.SymbolicTensor): tf.SymbolicTensor {
    const width = x.shape[2] as number;
    const { dimFeedforward, activation } = this.options;
    let h = this.dense(x, dimFeedforward, width, activation, 'linear1');
    h = this.dropout(h, 'dropout');
    return this.dense(h, width, dimFeedforward, 'linear', 'linear2');
  }

  /** `x + alpha * dropout(branch)`, with the layer's one shared `alpha`. */
  residual(x: tf.SymbolicTensor, branch: tf.SymbolicTensor, dropoutSuffix: string): tf.SymbolicTensor {
    return this.gate.apply([x, this.dropout(branch, dropoutSuffix)]) as tf.SymbolicTensor;
  }

  private dense(x: tf.SymbolicTensor, units: number, fanIn: number, activation: Activation, suffix: string): tf.SymbolicTensor {
    return tf.layers
      .dense({
        units,
        activation,
        kernelInitializer: torchKernelInitializer(this.nextSeed()),
        biasInitializer: torchBiasInitializer(fanIn, this.nextSeed()),
        name: this.name(suffix),
      })
      .apply(x) as tf.SymbolicTensor;
  }

  /** A dropout layer, or nothing at rate 0 (which would be the identity). */
  private dropout(x: tf.SymbolicTensor, suffix: string): tf.SymbolicTensor {
    if (this.options.dropout === 0) return x;
    return tf.layers.dropout({ rate: this.options.dropout, name: this.name(suffix) }).apply(x) as tf.SymbolicTensor;
  }
}
