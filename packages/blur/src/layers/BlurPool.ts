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
 * {@link BlurPool1D}, {@link BlurPool2D} and {@link BlurPool3D} are the same layer accepting one rank only.
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
  /** Input ranks the layer accepts (batch and channel axes included). */
  protected static ranks: readonly number[] = [3, 4, 5];

  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: ResolvedBlurOptions['padding'];

  constructor(args: BlurPoolArgs = {}) {
    // Errors name the class the user built (BlurPool1D, ...), read before super() from new.target.
    const layer = (new.target as typeof BlurPool).className;
    assertNoMisspeltOptions(layer, args, BLUR_OPTION_KEYS);
    const { kernelSize, stride, padding, ...layerArgs } = args;
    super(layerArgs);
    const resolved = resolveBlurOptions(layer, { kernelSize, stride, padding });
    this.kernelSize = resolved.kernelSize;
    this.stride = resolved.stride;
    this.padding = resolved.padding;
  }

  private get options(): ResolvedBlurOptions {
    return { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding };
  }

  private get layerClass(): typeof BlurPool {
    return this.constructor as typeof BlurPool;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const { className, ranks } = this.layerClass;
    const shape = singleShape(className, inputShape, ranks);
    assertSpatialFits(className, shape, this.options);
    return shape.map((n, axis) => (axis === 0 || axis === shape.length - 1 ? n : blurredLength(n, this.options)));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const { className, ranks } = this.layerClass;
    const x = singleTensor(className, inputs);
    singleShape(className, x.shape, ranks);
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
    assertConfigHas((cls as unknown as typeof BlurPool).className, config, BLUR_OPTION_KEYS);
    return new cls(config);
  }
}

/**
 * {@link BlurPool} for 1-D signals `[B, W, C]` only (antialiased-cnns' `BlurPool1D`), e.g. after a
 * `conv1d`: `new BlurPool1D({ kernelSize: 3, stride: 2 })` turns `[B, 100, C]` into `[B, 50, C]`.
 */
export class BlurPool1D extends BlurPool {
  static override className = 'BlurPool1D';
  protected static override ranks: readonly number[] = [3];
}

/** {@link BlurPool} for images `[B, H, W, C]` only (kornia's and timm's `BlurPool2D`). */
export class BlurPool2D extends BlurPool {
  static override className = 'BlurPool2D';
  protected static override ranks: readonly number[] = [4];
}

/** {@link BlurPool} for volumes `[B, D, H, W, C]` only, e.g. after a `conv3d`. */
export class BlurPool3D extends BlurPool {
  static override className = 'BlurPool3D';
  protected static override ranks: readonly number[] = [5];
}

tf.serialization.registerClass(BlurPool);
tf.serialization.registerClass(BlurPool1D);
tf.serialization.registerClass(BlurPool2D);
tf.serialization.registerClass(BlurPool3D);
