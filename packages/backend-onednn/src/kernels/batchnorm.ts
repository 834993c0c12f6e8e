/** FusedBatchNorm (the forward kernel of `tf.batchNorm`) natively; its gradient is tfjs-core's, made of other kernels. */
import type { FusedBatchNormAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { alloc, f32, isMissing, output } from './common';

function batchNorm({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, mean, variance, offset, scale } = inputs;
  const xv = f32(backend, x);
  const mv = f32(backend, mean);
  const vv = f32(backend, variance);
  if (isMissing(x) || xv === null || mv === null || vv === null) return null;
  const ov = isMissing(offset) ? null : f32(backend, offset);
  const sv = isMissing(scale) ? null : f32(backend, scale);
  if ((!isMissing(offset) && ov === null) || (!isMissing(scale) && sv === null)) return null;
  // The cpu kernel asserts equal ranks of the statistics: leave mismatches to it (it throws).
  const rank = (mean as TensorInfo).shape.length;
  if ([variance, offset, scale].some((t) => !isMissing(t) && t.shape.length !== rank)) return null;
  // The cpu kernel cycles each parameter along the flat input; we support lengths 1 and one common L.
  const lengths = [mv.length, vv.length, ov?.length ?? 1, sv?.length ?? 1];
  const len = Math.max(...lengths);
  if (len === 0 || xv.length === 0 || xv.length % len !== 0 || lengths.some((l) => l !== 1 && l !== len)) return null;
  const epsilon = (attrs as unknown as FusedBatchNormAttrs | undefined)?.varianceEpsilon ?? 0.001;
  const out = alloc(xv.length);
  nativeAddon().batchNorm(xv, mv, vv, ov, sv, out, epsilon, len);
  return output(backend, [...x.shape], out);
}

/** The normalisation kernels this backend runs natively. */
export const batchNormKernels: NativeKernel[] = [{ kernelName: 'FusedBatchNorm', run: batchNorm }];

/** Name of this backend's own kernel for FusedBatchNorm's gradient (see gradients.ts). */
export const BATCH_NORM_GRAD = 'OneDnnFusedBatchNormGrad';

/** The float32 inputs of the gradient kernels below; the caller (gradients.ts) has checked dtypes and shapes. */
function gradientInputs({ inputs, backend, attrs }: KernelArgs, kernelName: string) {
  const { x, mean, variance, scale, dy } = inputs;
  const xv = f32(backend, x);
  const mv = f32(backend, mean);
  const vv = f32(backend, variance);
  const dyv = f32(backend, dy);
  const sv = isMissing(scale) ? null : f32(backend, scale);
  if (isMissing(x) || xv === null || mv === null || vv === null || dyv === null || (!isMissing(scale) && sv === null)) {
    throw new Error(`${kernelName}: float32 inputs expected`);
  }
  const epsilon = (attrs as unknown as FusedBatchNormAttrs | undefined)?.varianceEpsilon ?? 0.001;
  return { shape: [...x.shape], xv, mv, vv, dyv, sv, epsilon, channels: mv.length };
}

/**
 * FusedBatchNorm's gradient for [C] statistics in one pass: inputs x [..., C], mean, variance,
 * scale (optional) [C] and dy; outputs dx, dMean, dVariance, dScale, dOffset.
 */
export function batchNormGrad(args: KernelArgs): TensorInfo[] {
  const { shape, xv, mv, vv, dyv, sv, epsilon, channels } = gradientInputs(args, BATCH_NORM_GRAD);
  const dx = alloc(xv.length);
  const grads = [0, 1, 2, 3].map(() => new Float32Array(channels));
  const [dMean, dVariance, dScale, dOffset] = grads as [Float32Array, Float32Array, Float32Array, Float32Array];
  nativeAddon().batchNormGrad(xv, mv, vv, sv, dyv, epsilon, channels, dx, dMean, dVariance, dScale, dOffset);
  return [output(args.backend, shape, dx), ...grads.map((g) => output(args.backend, [channels], g))];
}

/** Name of batch norm's training-mode gradient kernel: inputs x, mean, variance, scale?, dy; outputs dx, dScale, dOffset. */
export const BATCH_NORM_TRAIN_GRAD = 'OneDnnBatchNormTrainGrad';

/**
 * Batch norm's gradient in training mode, the statistics being x's own moments (kernels/moments.ts):
 * their gradients are folded into dx, in two passes.
 */
export function batchNormTrainGrad(args: KernelArgs): TensorInfo[] {
  const { shape, xv, mv, vv, dyv, sv, epsilon, channels } = gradientInputs(args, BATCH_NORM_TRAIN_GRAD);
  const dx = alloc(xv.length);
  const dScale = new Float32Array(channels);
  const dOffset = new Float32Array(channels);
  nativeAddon().batchNormTrainGrad(xv, mv, vv, sv, dyv, epsilon, channels, dx, dScale, dOffset);
  return [output(args.backend, shape, dx), output(args.backend, [channels], dScale), output(args.backend, [channels], dOffset)];
}
