import * as tf from '@tensorflow/tfjs';

import { ReZero } from './rezero';
import { describe } from './validate';

/**
 * Number of trainable parameters, the figure PyTorch's `sum(p.numel() for p in model.parameters())`
 * gives. `model.countParams()` also counts BatchNorm's moving mean and variance, which are PyTorch buffers.
 */
export function countTrainableParams(model: tf.LayersModel): number {
  if (!(model instanceof tf.LayersModel)) {
    throw new Error(`countTrainableParams: model must be a tf.LayersModel, got ${describe(model)}.`);
  }
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((p, n) => p * (n ?? 1), 1), 0);
}

/** One ReZero gate of a model. */
export interface ReZeroGate {
  /** Name of the {@link ReZero} layer (e.g. `block3_rezero`). */
  layer: string;
  /** Current value of its `alpha`. */
  alpha: number;
}

/**
 * The current `alpha` of every {@link ReZero} layer, in model order: how much each block's branch
 * contributes, i.e. which blocks the network has "switched on" (the chapter's effective depth).
 */
export function rezeroGates(model: tf.LayersModel): ReZeroGate[] {
  if (!(model instanceof tf.LayersModel)) {
    throw new Error(`rezeroGates: model must be a tf.LayersModel, got ${describe(model)}.`);
  }
  return model.layers
    .filter((layer): layer is ReZero => layer instanceof ReZero)
    .map((layer) => {
      const [alpha] = layer.getWeights();
      return { layer: layer.name, alpha: (alpha as tf.Tensor).dataSync()[0] as number };
    });
}
