import * as tf from '@tensorflow/tfjs';

import {
  assertEdgeAwareFits,
  EDGE_AWARE_OPTION_KEYS,
  edgeAwareBlurUnchecked,
  resolveEdgeAwareOptions,
  type EdgeAwareBlurOptions,
  type ResolvedEdgeAwareBlurOptions,
} from '../edgeAware';
import { assertFloatTensor, assertNoMisspeltOptions } from '../validate';
import { assertConfigHas, singleShape, singleTensor, type LayerArgs } from './layerUtils';

/** Constructor arguments of {@link EdgeAwareBlurPool2D}: the {@link EdgeAwareBlurOptions} plus the usual layer arguments. */
export interface EdgeAwareBlurPool2DArgs extends EdgeAwareBlurOptions, LayerArgs {}

/**
 * Layer form of {@link edgeAwareBlurPool2d} (kornia's `EdgeAwareBlurPool2D`): blurs `[B, H, W, C]`
 * except near edges, keeping the shape. No weights.
 *
 * @example
 * ```ts
 * const layer = new EdgeAwareBlurPool2D({ kernelSize: 3, edgeThreshold: 1.25 });
 * ```
 */
export class EdgeAwareBlurPool2D extends tf.layers.Layer {
  static className = 'EdgeAwareBlurPool2D';

  readonly kernelSize: number;
  readonly edgeThreshold: number;
  readonly edgeDilationKernelSize: number;
  readonly epsilon: number;

  constructor(args: EdgeAwareBlurPool2DArgs = {}) {
    assertNoMisspeltOptions('EdgeAwareBlurPool2D', args, EDGE_AWARE_OPTION_KEYS);
    const { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon, ...layerArgs } = args;
    super(layerArgs);
    const resolved = resolveEdgeAwareOptions('EdgeAwareBlurPool2D', { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon });
    this.kernelSize = resolved.kernelSize;
    this.edgeThreshold = resolved.edgeThreshold;
    this.edgeDilationKernelSize = resolved.edgeDilationKernelSize;
    this.epsilon = resolved.epsilon;
  }

  private get options(): ResolvedEdgeAwareBlurOptions {
    return { kernelSize: this.kernelSize, edgeThreshold: this.edgeThreshold, edgeDilationKernelSize: this.edgeDilationKernelSize, epsilon: this.epsilon };
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('EdgeAwareBlurPool2D', inputShape, [4]);
    assertEdgeAwareFits('EdgeAwareBlurPool2D', shape);
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor('EdgeAwareBlurPool2D', inputs);
    assertFloatTensor('EdgeAwareBlurPool2D', x, [4], '[B, H, W, C]');
    return edgeAwareBlurUnchecked(x as tf.Tensor4D, this.options, 'EdgeAwareBlurPool2D');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.options };
  }

  /** Builds the layer from a saved config; a config lacking one of the options is an error, not the defaults. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    assertConfigHas('EdgeAwareBlurPool2D', config, EDGE_AWARE_OPTION_KEYS);
    return new cls(config);
  }
}

tf.serialization.registerClass(EdgeAwareBlurPool2D);
