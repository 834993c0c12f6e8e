import * as tf from '@tensorflow/tfjs';

/**
 * Like `tf.tidy` for functions that return plain data (numbers, typed arrays) rather than tensors:
 * every tensor made inside is disposed when `fn` returns or throws.
 */
export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
