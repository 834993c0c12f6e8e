/**
 * The kernel functions the backend registers: every cpu kernel wrapped so its outputs never share a
 * recycled buffer, and every native kernel wrapped with its cpu fallback and per-kernel counts.
 */
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

import type { KernelArgs, NativeKernel } from './kernels/common';
import { Decline, isMissing, releaseScratch } from './kernels/common';
import { isDeferred } from './deferred';
import { isPooled } from './pool';

/** Per-kernel counts of native runs, cpu fallbacks (unsupported inputs or attributes) and native errors. */
export interface KernelStat {
  native: number;
  fallback: number;
  errors: number;
}

const stats = new Map<string, KernelStat>();
const warned = new Set<string>();

/** The counts of one kernel, created at zero on first use. */
export function statFor(kernelName: string): KernelStat {
  let stat = stats.get(kernelName);
  if (stat === undefined) {
    stat = { native: 0, fallback: 0, errors: 0 };
    stats.set(kernelName, stat);
  }
  return stat;
}

/** Counts since registration (or the last `resetKernelStats()`), for the overridden kernels that ran. */
export function kernelStats(): Record<string, KernelStat> {
  const out: Record<string, KernelStat> = {};
  for (const [name, s] of stats) if (s.native + s.fallback + s.errors > 0) out[name] = { ...s };
  return out;
}

/** Zeroes the counts of `kernelStats()`. */
export function resetKernelStats(): void {
  for (const s of stats.values()) {
    s.native = 0;
    s.fallback = 0;
    s.errors = 0;
  }
}

/**
 * After a cpu kernel: an output that is a new tensor but whose storage is (a view of) a recycled
 * buffer of an input, such as the zero-copy view of a contiguous Slice, gets its own copy, so that
 * recycling the input's buffer cannot change it.
 */
function unshare(backend: MathBackendCPU, inputs: NamedTensorInfoMap, result: TensorInfo | TensorInfo[]): void {
  const outputs = Array.isArray(result) ? result : [result];
  for (const out of outputs) {
    // Deferred data has no buffer yet (reading it would compute it); it is never a recycled one.
    if (!backend.data.has(out.dataId) || isDeferred(out.dataId)) continue;
    const entry = backend.data.get(out.dataId);
    if (entry === undefined) continue;
    const parts = entry.complexTensorInfos ? [entry, backend.data.get(entry.complexTensorInfos.real.dataId), backend.data.get(entry.complexTensorInfos.imag.dataId)] : [entry];
    for (const part of parts) {
      if (part === undefined || !isPooled(part.values)) continue;
      if (Object.values(inputs).some((t) => !isMissing(t) && t.dataId === out.dataId)) continue; // shared by refcount
      part.values = part.values.slice();
    }
  }
}

/** Wraps a cpu kernel for the onednn backend: same computation, then `unshare` on its outputs. */
export function wrapCpu(cpu: KernelFunc): KernelFunc {
  return (args) => {
    const result = cpu(args);
    unshare(args.backend as MathBackendCPU, args.inputs, result);
    return result;
  };
}

/**
 * Wraps a native kernel: inputs it declines (null) go to the cpu kernel; a native error also goes
 * there, with a one-time warning (invalid arguments then make the cpu kernel throw tfjs's own error).
 */
export function wrapNative(kernel: NativeKernel, cpu: KernelFunc): KernelFunc {
  const stat = statFor(kernel.kernelName);
  return (args) => {
    let result: TensorInfo | null;
    try {
      result = kernel.run(args as KernelArgs);
    } catch (err) {
      releaseScratch();
      if (err instanceof Decline) {
        stat.fallback++;
        return cpu(args);
      }
      stat.errors++;
      const fallback = cpu(args);
      if (!warned.has(kernel.kernelName)) {
        warned.add(kernel.kernelName);
        console.warn(`@aa/backend-onednn: native ${kernel.kernelName} failed (${(err as Error).message}); using the cpu kernel`);
      }
      return fallback;
    }
    releaseScratch();
    if (result !== null) {
      stat.native++;
      return result;
    }
    stat.fallback++;
    return cpu(args);
  };
}
