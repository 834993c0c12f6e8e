import * as tf from '@tensorflow/tfjs';

import {
  assertMaxBlurPoolFits,
  MAX_BLUR_POOL_OPTION_KEYS,
  maxBlurPool2d,
  maxBlurPoolOutputShape,
  resolveMaxBlurPoolOptions,
  type MaxBlurPoolOptions,
  type ResolvedMaxBlurPoolOptions,
} from '../maxBlurPool';
import { assertNoMisspeltOptions } from '../validate';
import { assertConfigHas, singleShape, singleTensor, type LayerArgs } from './layerUtils';

/** Constructor arguments of {@link MaxBlurPool2D}: the {@link MaxBlurPoolOptions} plus the usual layer arguments. */
export interface MaxBlurPool2DArgs extends MaxBlurPoolOptions, LayerArgs {}

/**
 * Layer form of {@link maxBlurPool2d}: anti-aliased max pooling for `[B, H, W, C]` inputs, a
 * drop-in replacement for `tf.layers.maxPooling2d({ poolSize })` (the chapter's `MaxPool2dAA`).
 * It has no weights.
 *
 * @example
 * ```ts
 * const pool = new MaxBlurPool2D({ poolSize: 2 }); // replaces tf.layers.maxPooling2d({ poolSize: 2 })
 * ```
 */
export class MaxBlurPool2D extends tf.layers.Layer {
  static className = 'MaxBlurPool2D';

  readonly poolSize: number;
  readonly ratio: number;
  readonly padding: ResolvedMaxBlurPoolOptions['padding'];

  constructor(args: MaxBlurPool2DArgs = {}) {
    assertNoMisspeltOptions('MaxBlurPool2D', args, MAX_BLUR_POOL_OPTION_KEYS);
    const { poolSize, ratio, padding, ...layerArgs } = args;
    super(layerArgs);
    const resolved = resolveMaxBlurPoolOptions('MaxBlurPool2D', { poolSize, ratio, padding });
    this.poolSize = resolved.poolSize;
    this.ratio = resolved.ratio;
    this.padding = resolved.padding;
  }

  private get options(): ResolvedMaxBlurPoolOptions {
    return { poolSize: this.poolSize, ratio: this.ratio, padding: this.padding };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('MaxBlurPool2D', inputShape, [4]);
    assertMaxBlurPoolFits('MaxBlurPool2D', shape, this.options);
    return maxBlurPoolOutputShape(shape, this.options);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return maxBlurPool2d(singleTensor('MaxBlurPool2D', inputs) as tf.Tensor4D, this.options);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize, ratio: this.ratio, padding: this.padding };
  }

  /** Builds the layer from a saved config; a config without `poolSize`, `ratio` or `padding` is an error, not the defaults. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    assertConfigHas('MaxBlurPool2D', config, MAX_BLUR_POOL_OPTION_KEYS);
    return new cls(config);
  }
}

tf.serialization.registerClass(MaxBlurPool2D);
