import * as tf from '@tensorflow/tfjs';

import type { LayerArgs } from './rezero';
import { assertNoMisspeltOptions, assertPositiveInt, fail, shapeText } from './validate';

/** Constructor arguments of {@link ZeroPadShortcut}. */
export interface ZeroPadShortcutArgs extends LayerArgs {
  /** Output channels; at least the input's. The new channels are zeros, split evenly before and after. */
  channels: number;
  /** Spatial subsampling: every `stride`-th row and column, starting with the first. Default 2. */
  stride?: number;
}

const OPTION_KEYS = ['channels', 'stride'];

/**
 * He et al.'s parameter-free "option A" shortcut, as the ReZero authors' CIFAR ResNets use it: keep
 * every `stride`-th row and column (`x[:, ::s, ::s, :]`) and pad the channels with zeros,
 * `floor((channels - C) / 2)` before and the rest after (the notebook's `planes // 4` on both sides
 * when the channels double). `[B, H, W, C]` → `[B, ceil(H / s), ceil(W / s), channels]`. No weights.
 *
 * @example
 * ```ts
 * const shortcut = new ZeroPadShortcut({ channels: 32, stride: 2 }); // [B, 32, 32, 16] -> [B, 16, 16, 32]
 * ```
 */
export class ZeroPadShortcut extends tf.layers.Layer {
  static className = 'ZeroPadShortcut';

  readonly channels: number;
  readonly stride: number;

  constructor(args: ZeroPadShortcutArgs) {
    const fn = 'ZeroPadShortcut';
    assertNoMisspeltOptions(fn, args, OPTION_KEYS);
    if (args === undefined) fail(fn, 'the constructor argument', args, 'an object with at least { channels }');
    const { channels, stride = 2, ...layerArgs } = args;
    super(layerArgs);
    assertPositiveInt(fn, 'channels', channels);
    assertPositiveInt(fn, 'stride', stride);
    this.channels = channels;
    this.stride = stride;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 4 || typeof shape[3] !== 'number' || shape[3] > this.channels) {
      throw new Error(
        `ZeroPadShortcut: input must be [B, H, W, C] with a known C of at most channels (${this.channels}), got [${shapeText(shape)}].`,
      );
    }
    const sub = (n: number | null) => (n === null ? null : Math.ceil(n / this.stride));
    return [shape[0] as number | null, sub(shape[1] as number | null), sub(shape[2] as number | null), this.channels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    this.computeOutputShape(x.shape);
    return tf.tidy(() => {
      // A 1×1 average pool is exact subsampling and, unlike stridedSlice, has a gradient in tfjs.
      const sampled = this.stride === 1 ? x : tf.avgPool(x, 1, this.stride, 'valid');
      const extra = this.channels - x.shape[3];
      const before = Math.floor(extra / 2);
      return extra === 0 ? sampled : tf.pad(sampled, [[0, 0], [0, 0], [0, 0], [before, extra - before]]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels, stride: this.stride };
  }
}

tf.serialization.registerClass(ZeroPadShortcut);
