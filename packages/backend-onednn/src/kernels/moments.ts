/**
 * `tf.moments` over all axes but the channels, as tfjs-layers' BatchNormalization computes it in
 * training: `mean(x)`, `sub(x, mean)`, `square(...)`, `mean(...)`. The two full-size intermediates are
 * deferred (see deferred.ts): the variance is computed from `x` and `mean` in one pass, and the
 * intermediates are only computed if something reads them. The statistics remember where they come
 * from (by data, which tfjs never changes in place), so that batch norm's gradient can recognise them.
 * Also the kernels of the fused gradients (gradients.ts): zeros and the ReLU gradient (batch norm's
 * training-mode gradient is in batchnorm.ts).
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

import { deferredOutput, isZeroData, recipeOf } from '../deferred';
import { fusionOn } from '../fusionSwitch';
import { nativeAddon } from '../native';
import type { KernelArgs } from './common';
import { alloc, f32, isMissing, output, sizeOf, storedF32 } from './common';

/** Where a [channels] statistic comes from: the mean of x, or the variance of x around that mean. */
export type Statistic = { kind: 'mean'; x: DataId; channels: number } | { kind: 'variance'; x: DataId; mean: DataId; channels: number };

const statistics = new WeakMap<DataId, Statistic>();

/** The statistic this data is, if one of this module's kernels computed it. */
export function statisticOf(dataId: DataId): Statistic | undefined {
  return statistics.get(dataId);
}

/** Whether `axes` are exactly every axis but the last of a rank-`rank` tensor. */
export function leadingAxes(axes: readonly number[], rank: number): boolean {
  if (rank < 2 || axes.length !== rank - 1) return false;
  const sorted = [...axes].sort((p, q) => p - q);
  return sorted.every((a, i) => a === i);
}

/** A [C] or [1, ..., 1, C] shape. */
function channelVector(shape: readonly number[], channels: number): boolean {
  return shape.length >= 1 && shape[shape.length - 1] === channels && shape.slice(0, -1).every((d) => d === 1);
}

/** After the Mean kernel computed `out` = mean(x) over the leading axes: remember it. */
export function noteMean(x: TensorInfo, out: TensorInfo, axes: readonly number[]): void {
  const rank = x.shape.length;
  if (!fusionOn() || x.dtype !== 'float32' || !leadingAxes(axes, rank)) return;
  statistics.set(out.dataId, { kind: 'mean', x: x.dataId, channels: x.shape[rank - 1] as number });
}

/** Mean over the leading axes of a deferred `(x - mean)^2`: the variance, in one pass over x. */
export function varianceOfDeferred({ inputs, backend }: KernelArgs, axes: readonly number[], outShape: number[]): TensorInfo | null {
  const { x } = inputs;
  if (isMissing(x) || !fusionOn() || !leadingAxes(axes, x.shape.length)) return null;
  const recipe = recipeOf(x.dataId);
  if (recipe?.kind !== 'centered' || recipe.power !== 2) return null;
  const xv = storedF32(backend, recipe.x, sizeOf(x.shape));
  const mv = storedF32(backend, recipe.mean, recipe.channels);
  if (xv === null || mv === null) return null;
  const out = alloc(recipe.channels);
  nativeAddon().centeredVariance(xv, mv, recipe.channels, out);
  const info = output(backend, outShape, out);
  statistics.set(info.dataId, { kind: 'variance', x: recipe.x, mean: recipe.mean, channels: recipe.channels });
  return info;
}

/** Sub(x, mean(x)) for a channel mean this module noted: deferred. */
export function deferredCentered({ inputs, backend }: KernelArgs): TensorInfo | null {
  const { a, b } = inputs;
  if (!fusionOn() || isMissing(a) || isMissing(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const stat = statistics.get(b.dataId);
  if (stat?.kind !== 'mean' || stat.x !== a.dataId || b.shape.length > a.shape.length || !channelVector(b.shape, stat.channels)) return null;
  if (a.shape[a.shape.length - 1] !== stat.channels || sizeOf(a.shape) === 0) return null;
  // The inputs must be float32 buffers of their shapes now; the deferred values read them later.
  if (storedF32(backend, a.dataId, sizeOf(a.shape)) === null || storedF32(backend, b.dataId, stat.channels) === null) return null;
  return deferredOutput(backend, [...a.shape], { kind: 'centered', x: a.dataId, mean: b.dataId, channels: stat.channels, power: 1 });
}

/** Square of a deferred `x - mean`: deferred too. */
export function deferredSquare({ inputs, backend }: KernelArgs): TensorInfo | null {
  const { x } = inputs;
  if (!fusionOn() || isMissing(x)) return null;
  const recipe = recipeOf(x.dataId);
  if (recipe?.kind !== 'centered' || recipe.power !== 1) return null;
  return deferredOutput(backend, [...x.shape], { ...recipe, power: 2 });
}

/** Add with an operand known to be zeros and of the output's shape: the other operand, shared. */
export function addOfZeros({ inputs, backend }: KernelArgs): TensorInfo | null {
  const { a, b } = inputs;
  if (!fusionOn() || isMissing(a) || isMissing(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return null;
  const other = isZeroData(a.dataId) ? b : isZeroData(b.dataId) ? a : null;
  if (other === null) return null;
  backend.incRef(other.dataId);
  return { dataId: other.dataId, shape: [...other.shape], dtype: 'float32' };
}

/** Name of the zeros kernel (attribute `shape`): a deferred float32 zeros tensor. */
export const ZEROS = 'OneDnnZeros';

/** The zeros kernel. */
export function zeros({ backend, attrs }: KernelArgs): TensorInfo {
  const shape = (attrs as { shape: number[] }).shape;
  return deferredOutput(backend, [...shape], { kind: 'zeros' });
}

/** Name of the ReLU gradient kernel: inputs x, dy (same shape, float32); output dy * step(x). */
export const RELU_GRAD = 'OneDnnReluGrad';

/** The ReLU gradient in one pass. */
export function reluGrad({ inputs, backend }: KernelArgs): TensorInfo {
  const { x, dy } = inputs;
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  if (isMissing(x) || xv === null || dyv === null || xv.length !== dyv.length) throw new Error(`${RELU_GRAD}: float32 inputs of one shape expected`);
  const dx = alloc(xv.length);
  nativeAddon().reluGrad(xv, dyv, dx);
  return output(backend, [...x.shape], dx);
}
