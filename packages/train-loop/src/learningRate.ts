import type * as tf from '@tensorflow/tfjs';
import { assertNumber, fail } from './validate';

interface LrAccess {
  getLearningRate?: () => number;
  setLearningRate?: (lr: number) => void;
  learningRate?: unknown;
}

/**
 * The learning rate of any tfjs optimizer: `getLearningRate()` when it has one (AdamW), else its
 * `learningRate` field (tfjs keeps it protected, but every built-in optimizer reads it at each step).
 * `null` when there is none.
 */
export function getLearningRate(optimizer: tf.Optimizer): number | null {
  const o = optimizer as unknown as LrAccess;
  if (typeof o.getLearningRate === 'function') return o.getLearningRate();
  return typeof o.learningRate === 'number' ? o.learningRate : null;
}

/**
 * Sets the learning rate of any tfjs optimizer: `setLearningRate()` when it has one (AdamW, SGD and
 * Momentum, which cache it in a tensor), else its `learningRate` field.
 *
 * @param lr A finite number >= 0.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  assertNumber('setLearningRate', 'lr', lr, { min: 0 });
  const o = optimizer as unknown as LrAccess;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else if (typeof o.learningRate === 'number') o.learningRate = lr;
  else fail('setLearningRate', 'optimizer', optimizer, 'an optimizer with a numeric learning rate');
}
