import type * as tf from '@tensorflow/tfjs';

/** The base-layer constructor arguments (`name`, `inputShape`, `trainable`, ...), without reaching into tfjs-layers' internals. */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** The one input tensor of a single-input layer. */
export function singleTensor(layer: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw new Error(`${layer}: expects exactly one input tensor, got ${inputs.length}.`);
    return inputs[0] as tf.Tensor;
  }
  return inputs;
}

/** The one input shape of a single-input layer, checked against the allowed ranks. */
export function singleShape(layer: string, inputShape: tf.Shape | tf.Shape[], ranks: readonly number[]): tf.Shape {
  const nested = Array.isArray(inputShape[0]) || (inputShape.length > 0 && inputShape.every((s) => Array.isArray(s)));
  let shape = inputShape as tf.Shape;
  if (nested) {
    const shapes = inputShape as tf.Shape[];
    if (shapes.length !== 1) throw new Error(`${layer}: expects exactly one input, got ${shapes.length}.`);
    shape = shapes[0] as tf.Shape;
  }
  if (!ranks.includes(shape.length)) {
    throw new Error(`${layer}: input must have rank ${ranks.join(', ')} (channels-last), got shape [${shape.join(', ')}].`);
  }
  return shape;
}

/**
 * Checks a saved layer config before it builds a layer: every option the layer's `getConfig`
 * writes must be there, so a truncated or hand-edited model file fails loudly instead of loading
 * with defaults in place of the saved values.
 */
export function assertConfigHas(layer: string, config: tf.serialization.ConfigDict, keys: readonly string[]): void {
  const missing = keys.filter((key) => config[key] === undefined || config[key] === null);
  if (missing.length > 0) {
    throw new Error(
      `${layer}.fromConfig: the saved config lacks ${missing.map((k) => `'${k}'`).join(', ')} (a corrupted or partial ` +
        `model file?); it has ${Object.keys(config).map((k) => `'${k}'`).join(', ')}.`,
    );
  }
}
