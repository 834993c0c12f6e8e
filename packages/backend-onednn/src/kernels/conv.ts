/**
 * Conv2D, FusedConv2D and their backprops, and the depthwise family, on oneDNN (NHWC only).
 * Attribute handling mirrors tfjs-backend-cpu: the geometry comes from `backend_util.computeConv2DInfo`
 * exactly as the cpu kernels compute it, so the padding, rounding and output size agree.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInputAttrs,
  FusedConv2DAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';

import { deferredOutput } from '../deferred';
import { leaveBiasGradient, noteBiasedInput, wantsBiasGradient } from './biasGradient';
import { fusionOn } from '../fusionSwitch';
import { nativeAddon } from '../native';
import type { CpuBackend, KernelArgs, NativeKernel } from './common';
import { activationCode, allInts, alloc, f32, int32s, isMissing, jsNumber, output, sizeOf, storedF32 } from './common';

const FORWARD = 0;
const BACKWARD_DATA = 1;
const BACKWARD_WEIGHTS = 2;

type Shape4 = [number, number, number, number];

/**
 * The addon's 18 geometry parameters, or null when oneDNN cannot express the geometry (an empty
 * tensor, or padding that does not reproduce tfjs's output size).
 */
function geometry(info: backend_util.Conv2DInfo, groups: number): Int32Array | null {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  if (info.dataFormat !== 'channelsLast') return null;
  if ([batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels].some((d) => !(d > 0))) return null;
  const top = padInfo.top;
  const left = padInfo.left;
  if (top < 0 || left < 0) return null;
  const spanH = (filterHeight - 1) * dilationHeight + 1;
  const spanW = (filterWidth - 1) * dilationWidth + 1;
  // Bottom/right padding: just what the last window needs (tfjs's extra padding is never read).
  const bottom = Math.max(0, (outHeight - 1) * strideHeight + spanH - inHeight - top);
  const right = Math.max(0, (outWidth - 1) * strideWidth + spanW - inWidth - left);
  if (Math.floor((inHeight + top + bottom - spanH) / strideHeight) + 1 !== outHeight) return null;
  if (Math.floor((inWidth + left + right - spanW) / strideWidth) + 1 !== outWidth) return null;
  if ([filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth].some((d) => !(d >= 1))) return null;
  // int32s refuses what would not survive the trip to the addon's Int32Array (huge or fractional sizes).
  return int32s([
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    top,
    left,
    bottom,
    right,
    groups,
  ]);
}

function isNhwc(dataFormat: string | undefined): boolean {
  return isMissing(dataFormat) || dataFormat === 'NHWC';
}

/**
 * A bias of `channels` values, or null when the bias does not broadcast along the channels only
 * (or has a rank above 4, which would make the cpu kernel's broadcast add raise the output's rank).
 */
function channelBias(backend: CpuBackend, bias: TensorInfo | undefined, channels: number): Float32Array | null | undefined {
  if (isMissing(bias)) return undefined;
  const values = f32(backend, bias);
  if (values === null || bias.shape.length > 4) return null;
  if (values.length === channels && bias.shape[bias.shape.length - 1] === channels) return values;
  if (values.length === 1) return new Float32Array(channels).fill(values[0] as number);
  return null;
}

function forward(
  { inputs, backend, attrs }: KernelArgs,
  depthwise: boolean,
  fused: boolean,
): TensorInfo | null {
  const { x, filter } = inputs;
  const a = attrs as unknown as Conv2DAttrs & Partial<FusedConv2DAttrs>;
  if (isMissing(x) || isMissing(filter) || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (!isNhwc(a.dataFormat)) return null;
  const xv = f32(backend, x);
  const wv = f32(backend, filter);
  if (xv === null || wv === null) return null;
  let act = 0;
  let alpha = 0;
  let bias: Float32Array | null | undefined;
  if (fused) {
    const code = activationCode(a.activation);
    if (code === null) return null;
    act = code;
    alpha = jsNumber(a.leakyreluAlpha);
  }
  // The filter's input channels must be x's: runKernel does not check it (the ops do), and the cpu
  // kernel then reads the filter with its own strides; oneDNN would read past it.
  if (filter.shape[2] !== x.shape[3]) return null;
  // The cpu depthwise kernel refuses strides and dilations both above 1 (with tfjs's message).
  if (depthwise && !backend_util.eitherStridesOrDilationsAreOne(a.strides, a.dilations ?? 1)) return null;
  const info = convInfo(x.shape as Shape4, filter.shape as Shape4, a, depthwise, a.dilations ?? 1);
  if (info === null) return null;
  if (fused) {
    bias = channelBias(backend, inputs.bias, info.outChannels);
    if (bias === null) return null;
  }
  const params = geometry(info, depthwise ? info.inChannels : 1);
  if (params === null) return null;
  const out = alloc(sizeOf(info.outShape));
  nativeAddon().conv2d(FORWARD, xv, wv, bias ?? null, out, params, act, alpha);
  if (bias && !depthwise) noteBiasedInput(x.dataId);
  return output(backend, info.outShape, out);
}

/**
 * The convolution both backprops undo, or null when `dy` does not have the forward output's shape
 * (tfjs's gradients drop `dimRoundingMode`) or oneDNN cannot take the geometry: the cpu kernel runs then.
 */
function backpropGeometry(
  a: { strides: number | [number, number]; pad: Conv2DBackpropInputAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dilations?: number | [number, number] },
  inShape: Shape4,
  filterShape: Shape4,
  dyShape: readonly number[],
  depthwise: boolean,
): { info: backend_util.Conv2DInfo; params: NonNullable<ReturnType<typeof geometry>> } | null {
  if (!isShape4(inShape) || !isShape4(filterShape) || filterShape[2] !== inShape[3]) return null;
  // The cpu depthwise backprops place their windows without the dilation (tfjs's gradient refuses
  // dilated depthwise convolutions): what they compute then is theirs.
  if (depthwise && !(a.dilations === undefined || a.dilations === 1 || (Array.isArray(a.dilations) && a.dilations.every((d) => d === 1)))) return null;
  const info = convInfo(inShape, filterShape, a, depthwise, depthwise ? (a.dilations ?? 1) : 1);
  if (info === null || !sameShape(dyShape, info.outShape)) return null;
  const params = geometry(info, depthwise ? info.inChannels : 1);
  return params === null ? null : { info, params };
}

function backpropInput({ inputs, backend, attrs }: KernelArgs, depthwise: boolean): TensorInfo | null {
  const { dy, filter } = inputs;
  const a = attrs as unknown as Conv2DBackpropInputAttrs & Partial<DepthwiseConv2dNativeBackpropInputAttrs>;
  if (isMissing(dy) || isMissing(filter) || dy.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (!depthwise && !isNhwc(a.dataFormat)) return null;
  const dyv = f32(backend, dy);
  const wv = f32(backend, filter);
  if (dyv === null || wv === null) return null;
  const g = backpropGeometry(a, a.inputShape as Shape4, filter.shape as Shape4, dy.shape, depthwise);
  if (g === null) return null;
  const { info, params } = g;
  // Deferred while nothing reads it (see deferred.ts): only the stored float32 data of dy and the
  // filter can be held, not a scratch conversion.
  if (fusionOn() && storedF32(backend, dy.dataId, dyv.length) === dyv && storedF32(backend, filter.dataId, wv.length) === wv) {
    return deferredOutput(backend, [...info.inShape], { kind: 'convInput', dy: dy.dataId, filter: filter.dataId, dySize: dyv.length, filterSize: wv.length, params });
  }
  const out = alloc(sizeOf(info.inShape));
  nativeAddon().conv2d(BACKWARD_DATA, dyv, wv, null, out, params, 0, 0);
  return output(backend, [...info.inShape], out);
}

function backpropFilter({ inputs, backend, attrs }: KernelArgs, depthwise: boolean): TensorInfo | null {
  const { x, dy } = inputs;
  const a = attrs as unknown as Conv2DBackpropFilterAttrs & Partial<DepthwiseConv2dNativeBackpropFilterAttrs>;
  if (isMissing(x) || isMissing(dy) || x.shape.length !== 4 || dy.shape.length !== 4) return null;
  if (!depthwise && !isNhwc(a.dataFormat)) return null;
  const xv = f32(backend, x);
  const dyv = f32(backend, dy);
  if (xv === null || dyv === null) return null;
  const g = backpropGeometry(a, x.shape as Shape4, a.filterShape as Shape4, dy.shape, depthwise);
  if (g === null) return null;
  const { info, params } = g;
  const out = alloc(sizeOf(info.filterShape));
  // A plain (not depthwise) convolution with a bias: its bias gradient from the same pass (biasGradient.ts).
  const dBias = !depthwise && wantsBiasGradient(x.dataId) ? new Float32Array(info.outChannels) : null;
  nativeAddon().conv2d(BACKWARD_WEIGHTS, xv, dyv, dBias, out, params, 0, 0);
  if (dBias !== null) leaveBiasGradient(dy.dataId, dBias);
  return output(backend, [...info.filterShape], out);
}

/** A 4-D shape of positive integers (attributes such as `inputShape` come unchecked from runKernel). */
function isShape4(shape: unknown): shape is Shape4 {
  return Array.isArray(shape) && shape.length === 4 && allInts(shape, 1);
}

/** tfjs's geometry, or null when tfjs's own computation refuses the attributes. */
function convInfo(
  inShape: Shape4,
  filterShape: Shape4,
  a: { strides: number | [number, number]; pad: Conv2DAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
  depthwise: boolean,
  dilations: number | [number, number],
): backend_util.Conv2DInfo | null {
  try {
    return backend_util.computeConv2DInfo(inShape, filterShape, a.strides, dilations, a.pad, a.dimRoundingMode, depthwise, 'channelsLast');
  } catch {
    return null;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The convolution kernels this backend runs natively. */
export const convKernels: NativeKernel[] = [
  { kernelName: 'Conv2D', run: (args) => forward(args, false, false) },
  { kernelName: 'FusedConv2D', run: (args) => forward(args, false, true) },
  { kernelName: 'Conv2DBackpropInput', run: (args) => backpropInput(args, false) },
  { kernelName: 'Conv2DBackpropFilter', run: (args) => backpropFilter(args, false) },
  { kernelName: 'DepthwiseConv2dNative', run: (args) => forward(args, true, false) },
  { kernelName: 'FusedDepthwiseConv2D', run: (args) => forward(args, true, true) },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', run: (args) => backpropInput(args, true) },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', run: (args) => backpropFilter(args, true) },
];
