import * as tf from '@tensorflow/tfjs';

import { ReZero } from './rezero';
import { fail } from './validate';

/**
 * Number of trainable parameters, the figure PyTorch's `sum(p.numel() for p in model.parameters())`
 * gives. `model.countParams()` also counts BatchNorm's moving mean and variance, which are PyTorch buffers.
 */
export function countTrainableParams(model: tf.LayersModel): number {
  if (!(model instanceof tf.LayersModel)) {
    fail('countTrainableParams', 'model', model, 'a tf.LayersModel');
  }
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((p, n) => p * (n ?? 1), 1), 0);
}

/** One ReZero gate of a model. */
export interface ReZeroGate {
  /**
   * Name of the {@link ReZero} layer (e.g. `block3_rezero`); inside a nested model, prefixed with
   * the nested models' names (e.g. `resnet/block3_rezero`).
   */
  layer: string;
  /** Current value of its `alpha`. */
  alpha: number;
}

/**
 * The current `alpha` of every {@link ReZero} layer, in model order: how much each block's branch
 * contributes, i.e. which blocks the network has "switched on" (the chapter's effective depth).
 * Looks inside nested models too (e.g. a `resnet` model used as a layer of a `tf.sequential`).
 */
export function rezeroGates(model: tf.LayersModel): ReZeroGate[] {
  if (!(model instanceof tf.LayersModel)) {
    fail('rezeroGates', 'model', model, 'a tf.LayersModel');
  }
  return collectGates(model, '');
}

function collectGates(model: tf.LayersModel, prefix: string): ReZeroGate[] {
  return model.layers.flatMap((layer): ReZeroGate[] => {
    if (layer instanceof tf.LayersModel) return collectGates(layer, `${prefix}${layer.name}/`);
    if (!(layer instanceof ReZero)) return [];
    // getWeights() hands out the variables themselves (no copies to dispose).
    const [alpha] = layer.getWeights();
    return [{ layer: `${prefix}${layer.name}`, alpha: (alpha as tf.Tensor).dataSync()[0] as number }];
  });
}
