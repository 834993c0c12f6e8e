import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch's default initialisation, so the models start where the chapter's do. The same approach as
 * @aa/rezero's internal helpers (which that package does not export): kaiming-uniform with a = √5 is
 * tf variance scaling (scale 1/3, fan-in, uniform); biases are U(±1/√fanIn).
 */
export function torchKernel(): ReturnType<typeof tf.initializers.zeros> {
  return tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });
}

/** PyTorch's default bias for a layer with `fanIn` inputs: U(±1/√fanIn). */
export function torchBias(fanIn: number): ReturnType<typeof tf.initializers.zeros> {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound });
}

/** BatchNorm with PyTorch's settings: eps 1e-5, momentum 0.1 (tfjs counts momentum the other way: 0.9). */
export function torchBatchNorm(name?: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9, name });
}
