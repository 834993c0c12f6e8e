/** Helpers shared by the native kernel implementations. */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

import { adopt, give, take } from '../pool';

/** The backend every kernel receives: the cpu backend's storage (`data.get(id).values` is a typed array). */
export type CpuBackend = MathBackendCPU;

/** Arguments of a kernel function, as tfjs passes them. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: CpuBackend;
  attrs?: NamedAttrMap;
}

/**
 * A native implementation of one tfjs kernel. It returns `null` for inputs or attributes it does
 * not support, and the registry then runs the cpu kernel instead.
 */
export interface NativeKernel {
  kernelName: string;
  run(args: KernelArgs): TensorInfo | null;
}

/** True for null and undefined (tfjs passes absent optional inputs as either). */
export function isMissing(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

// Float copies made for the current kernel call (see f32), returned to the pool after it.
const scratch: Float32Array[] = [];

/**
 * The float32 values of a tensor, or null when it is not a float32 tensor (int32, bool, complex...).
 * The cpu backend's cast from int32 (or bool) to float32 relabels the dtype and keeps the integer
 * array (tfjs images often arrive that way); such inputs are converted into a scratch buffer that
 * `releaseScratch()` recycles once the kernel has run.
 */
export function f32(backend: CpuBackend, t: TensorInfo | undefined | null): Float32Array | null {
  if (isMissing(t) || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  if (values instanceof Float32Array) return values;
  if (values instanceof Int32Array || values instanceof Uint8Array) {
    const copy = take(values.length);
    copy.set(values);
    scratch.push(copy);
    return copy;
  }
  return null;
}

/** Returns the scratch conversions of the last kernel call to the pool. */
export function releaseScratch(): void {
  while (scratch.length > 0) give(scratch.pop() as Float32Array);
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A float32 array with unspecified contents (often recycled) for an output the native code overwrites entirely. */
export function alloc(n: number): Float32Array {
  return take(n);
}

/** Wraps a freshly computed float32 array as the kernel's output (which owns it, for recycling). */
export function output(backend: CpuBackend, shape: number[], values: Float32Array): TensorInfo {
  const info = backend.makeTensorInfo(shape, 'float32', values);
  adopt(values, info.dataId);
  return info;
}

/** Activation codes understood by the addon's fused kernels; `null` for ones it leaves to the cpu (prelu). */
export function activationCode(activation: unknown): number | null {
  switch (activation ?? 'linear') {
    case 'linear':
      return 0;
    case 'relu':
      return 1;
    case 'relu6':
      return 2;
    case 'elu':
      return 3;
    case 'sigmoid':
      return 4;
    case 'leakyrelu':
      return 5;
    default:
      return null;
  }
}
