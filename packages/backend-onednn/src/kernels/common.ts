/** Helpers shared by the native kernel implementations. */
import { constants } from 'node:buffer';

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

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

/**
 * Typed-array checks that hold across JavaScript realms: arrays the addon creates (the sanitizer build's guarded
 * buffers) belong to Node's main realm, and `instanceof` fails for them where the code runs in another one (jest's
 * test contexts), which would silently send every kernel reading them to the cpu fallback.
 */
export function isTypedArrayOf(v: unknown, kind: 'Float32Array' | 'Int32Array' | 'Uint8Array'): boolean {
  // instanceof first: it is the common case and far cheaper than the tag lookup.
  if (v instanceof SAME_REALM[kind]) return true;
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === `[object ${kind}]`;
}

const SAME_REALM = { Float32Array, Int32Array, Uint8Array } as const;

/** The stored float32 values of data, or null (int32 data relabelled float32 by a cast, a wrong length). */
export function storedF32(backend: CpuBackend, dataId: DataId, length: number): Float32Array | null {
  const values = backend.data.has(dataId) ? backend.data.get(dataId)?.values : undefined;
  return isTypedArrayOf(values, 'Float32Array') && (values as Float32Array).length === length ? (values as Float32Array) : null;
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
  if (isMissing(t) || t.dtype !== 'float32' || !backend.data.has(t.dataId)) return null;
  const values = backend.data.get(t.dataId)?.values;
  // The native code trusts shapes only as far as they match the buffers: anything else is the cpu kernel's.
  if (!ArrayBuffer.isView(values) || values.length !== sizeOf(t.shape)) return null;
  if (isTypedArrayOf(values, 'Float32Array')) return values as Float32Array;
  if (isTypedArrayOf(values, 'Int32Array') || isTypedArrayOf(values, 'Uint8Array')) {
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

/**
 * `values` as an Int32Array for the addon, or null when one of them is not an integer that fits
 * (Int32Array.from would silently wrap a huge dimension into a small or negative one).
 */
export function int32s(values: readonly unknown[]): Int32Array | null {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) return null;
    out[i] = v;
  }
  return out;
}

/** Whether every value is an integer in [min, max]. */
export function allInts(values: readonly unknown[], min: number, max = 0x7fffffff): boolean {
  return values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
}

/**
 * An attribute as the cpu kernels' JavaScript arithmetic sees it (`alpha * x`): a missing leaky-ReLU
 * slope is NaN there (tfjs-backend-cpu's fused kernels do not default it), null is 0.
 */
export function jsNumber(value: unknown): number {
  return Number(value);
}

/**
 * Thrown by a native kernel that declines its inputs after all (an output too large for one
 * buffer): the cpu kernel runs instead, counted as a fallback, not an error.
 */
export class Decline extends Error {}

// The largest float32 buffer Node allocates.
const MAX_ELEMENTS = Math.floor(constants.MAX_LENGTH / 4);

/** A float32 array with unspecified contents (often recycled) for an output the native code overwrites entirely. */
export function alloc(n: number): Float32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ELEMENTS) throw new Decline(`an output of ${n} elements`);
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
