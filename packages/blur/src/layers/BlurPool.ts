import * as tf from '@tensorflow/tfjs';

import { assertSpatialFits, blur, BLUR_OPTION_KEYS, blurredLength, resolveBlurOptions, type BlurOptions, type ResolvedBlurOptions } from '../blur';
import { assertNoMisspeltOptions } from '../validate';
import { assertConfigHas, singleShape, singleTensor, type LayerArgs } from './layerUtils';

/** Constructor arguments of {@link BlurPool}: the {@link BlurOptions} plus the usual layer arguments. */
export interface BlurPoolArgs extends BlurOptions, LayerArgs {}

/**
 * Layer form of {@link blur}: a fixed (non-trainable, weightless) binomial low-pass filter with
 * subsampling, for `[B, W, C]`, `[B, H, W, C]` or `[B, D, H, W, C]` inputs. Drop it in after a
 * stride-1 convolution, or in place of `averagePooling2d`, to anti-alias the downsampling.
 *
 * @example
 * ```ts
 * const model = tf.sequential({ layers: [
 *   tf.layers.conv2d({ inputShape: [24, 24, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
 *   new BlurPool({ kernelSize: 3, stride: 2 }), // [24, 24, 16] -> [12, 12, 16]
 * ] });
 * ```
 */
export class BlurPool extends tf.layers.Layer {
  static className = 'BlurPool';

  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: ResolvedBlurOptions['padding'];

  constructor(args: BlurPoolArgs = {}) {
    assertNoMisspeltOptions('BlurPool', args, BLUR_OPTION_KEYS);
    const { kernelSize, stride, padding, ...layerArgs } = args;
    super(layerArgs);
    const resolved = resolveBlurOptions('BlurPool', { kernelSize, stride, padding });
    this.kernelSize = resolved.kernelSize;
    this.stride = resolved.stride;
    this.padding = resolved.padding;
  }

  private get options(): ResolvedBlurOptions {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('BlurPool', inputShape, [3, 4, 5]);
    assertSpatialFits('BlurPool', shape, this.options);
    return shape.map((n, axis) => (axis === 0 || axis === shape.length - 1 ? n : blurredLength(n, this.options)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor('BlurPool', inputs);
    return blur(x as tf.Tensor4D, this.options);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }

  /** Builds the layer from a saved config; a config without `kernelSize`, `stride` or `padding` is an error, not the defaults. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    assertConfigHas('BlurPool', config, BLUR_OPTION_KEYS);
    return new cls(config);
  }
}

tf.serialization.registerClass(BlurPool);
