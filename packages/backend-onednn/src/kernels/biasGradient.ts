/**
 * A convolution's bias gradient from its filter-gradient kernel.
 *
 * tfjs's fused convolution (tfjs-layers' Conv2D with a bias) gets its bias gradient as
 * `sum(dy, [0, 1, 2])`, one more full pass over dy right after `Conv2DBackpropFilter` has read all
 * of dy. oneDNN's filter-gradient primitive computes that sum in the same pass. So the forward
 * kernel notes which inputs went into a convolution with a bias; the filter-gradient kernel for
 * such an input also computes the bias gradient and leaves it here under dy's data; the `Sum`
 * kernel over dy's first three axes takes it instead of summing. Data never changes in place,
 * so the sum it stands for is the one asked for; taken once, then a later sum of the same dy
 * computes it again.
 */
import type { DataId } from '@tensorflow/tfjs-core';

import { fusionOn } from '../fusionSwitch';

const biasedInputs = new WeakSet<DataId>();
/** Counters for tests and profiles: bias gradients left by the filter gradient, and taken by Sum. */
export const biasGradientStats = { left: 0, taken: 0 };
const waiting = new WeakMap<DataId, Float32Array>();

/** The forward kernel of a convolution with a bias ran on this input. */
export function noteBiasedInput(x: DataId): void {
  if (fusionOn()) biasedInputs.add(x);
}

/** Whether the filter gradient for this input should also compute the bias gradient. */
export function wantsBiasGradient(x: DataId): boolean {
  return fusionOn() && biasedInputs.has(x);
}

/** Leaves the bias gradient (dy summed over N, H, W) for the `Sum` that will ask for it. */
export function leaveBiasGradient(dy: DataId, values: Float32Array): void {
  waiting.set(dy, values);
  biasGradientStats.left++;
}

/** The bias gradient left for this dy, if it has `channels` values (then it is handed over once). */
export function takeBiasGradient(dy: DataId, channels: number): Float32Array | undefined {
  const values = waiting.get(dy);
  if (values === undefined || values.length !== channels || !fusionOn()) return undefined;
  waiting.delete(dy);
  biasGradientStats.taken++;
  return values;
}
