/**
 * MaxPool, AvgPool and their gradients (2-D, NHWC), natively, with the cpu kernels' semantics
 * (see native/pool.cc). The geometry comes from `backend_util.computePool2DInfo` as in the cpu kernels.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { AvgPoolAttrs, AvgPoolGradAttrs, MaxPoolAttrs, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { alloc, f32, int32s, isMissing, output, sizeOf } from './common';

type Shape4 = [number, number, number, number];

function geometry(info: backend_util.Conv2DInfo): Int32Array | null {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  if ([batchSize, inHeight, inWidth, inChannels, outHeight, outWidth].some((d) => !(d > 0))) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if ([info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth].some((d) => !(d >= 1))) return null;
  if (!(info.padInfo.top >= 0 && info.padInfo.left >= 0)) return null;
  return int32s([
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/** The cpu kernels return their input unchanged for a 1x1 window that keeps the shape; leave that to them. */
function isIdentity(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.inShape.every((d, i) => d === info.outShape[i])
  );
}

function poolForward({ inputs, backend, attrs }: KernelArgs, max: boolean): TensorInfo | null {
  const { x } = inputs;
  if (isMissing(x) || x.shape.length !== 4) return null;
  const xv = f32(backend, x);
  if (xv === null) return null;
  const a = attrs as unknown as MaxPoolAttrs & AvgPoolAttrs;
  const info = poolInfo(x.shape, a, true);
  if (info === null || isIdentity(info)) return null;
  const params = geometry(info);
  if (params === null) return null;
  const out = alloc(sizeOf(info.outShape));
  if (max) nativeAddon().maxPool(xv, out, params);
  else nativeAddon().avgPool(xv, out, params);
  return output(backend, [...info.outShape], out);
}

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, input } = inputs;
  if (isMissing(dy) || isMissing(input) || input.shape.length !== 4) return null;
  const dyv = f32(backend, dy);
  const xv = f32(backend, input);
  if (dyv === null || xv === null) return null;
  const a = attrs as unknown as MaxPoolGradAttrs;
  const info = poolInfo(input.shape, a, true);
  const params = info === null ? null : geometry(info);
  if (info === null || params === null || !sameShape(dy.shape, info.outShape)) return null;
  const dx = alloc(xv.length);
  nativeAddon().maxPoolGrad(dyv, xv, dx, params);
  return output(backend, [...input.shape], dx);
}

function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { dy, input } = inputs;
  if (isMissing(dy) || isMissing(input) || input.shape.length !== 4) return null;
  const dyv = f32(backend, dy);
  if (dyv === null) return null;
  const a = attrs as unknown as AvgPoolGradAttrs;
  // The cpu kernel ignores dimRoundingMode here; so do we.
  const info = poolInfo(input.shape, a, false);
  const params = info === null ? null : geometry(info);
  if (info === null || params === null || !sameShape(dy.shape, info.outShape)) return null;
  const dx = alloc(sizeOf(input.shape));
  nativeAddon().avgPoolGrad(dyv, dx, params);
  return output(backend, [...input.shape], dx);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** tfjs's geometry, or null when tfjs's own computation refuses the attributes. */
function poolInfo(shape: readonly number[], a: MaxPoolAttrs | AvgPoolAttrs, rounding: boolean): backend_util.Conv2DInfo | null {
  try {
    return backend_util.computePool2DInfo(shape as Shape4, a.filterSize, a.strides, 1, a.pad, rounding ? a.dimRoundingMode : undefined);
  } catch {
    return null;
  }
}

/** The pooling kernels this backend runs natively. */
export const poolKernels: NativeKernel[] = [
  { kernelName: 'MaxPool', run: (args) => poolForward(args, true) },
  { kernelName: 'AvgPool', run: (args) => poolForward(args, false) },
  { kernelName: 'MaxPoolGrad', run: maxPoolGrad },
  { kernelName: 'AvgPoolGrad', run: avgPoolGrad },
];
