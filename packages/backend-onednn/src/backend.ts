/**
 * The `'onednn'` backend: tfjs-backend-cpu's storage and kernels, with the kernels that dominate CNN
 * training replaced by native oneDNN / OpenMP code. Kernels run synchronously on the calling thread's
 * data (each native call uses an OpenMP team), exactly where the cpu backend would run them.
 */
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { findBackendFactory, getKernel, getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs-core';
import type { BackendValues, DataId, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

import { FUSED_GRADIENT_KERNELS, installFusedGradients, setFusedGradients } from './gradients';
import { BATCH_NORM_GRAD, batchNormGrad } from './kernels/batchnorm';
import type { KernelArgs, NativeKernel } from './kernels/common';
import { isMissing, releaseScratch } from './kernels/common';
import { nativeKernels } from './kernels/index';
import { isAvailable, nativeAddon } from './native';
import { DEFAULT_POOL_BYTES, clearPool, isPooled, pooledBytes, release, setPoolCap } from './pool';
import { checkBoolean, checkNames, checkNumber, checkObject } from './validate';

/** The name the backend registers under: `tf.setBackend(ONEDNN_BACKEND_NAME)`. */
export const ONEDNN_BACKEND_NAME = 'onednn';

/**
 * Default priority: above `cpu` (1) so `tf.ready()` picks it over the pure-JS kernels, below
 * `tensorflow` (tfjs-node, 3) so a working tfjs-node still wins.
 */
export const DEFAULT_PRIORITY = 2;

/** Kernels whose tfjs-core gradient is replaced by an onednn-only dispatcher (option `fuseGradients`). */
export const fusedGradientKernels: readonly string[] = FUSED_GRADIENT_KERNELS;

/** Names of the tfjs kernels with a native implementation (all others run the cpu kernel). */
export const overriddenKernels: readonly string[] = nativeKernels.map((k) => k.kernelName);

/**
 * The backend class: MathBackendCPU's storage, plus recycling of the native kernels' output buffers
 * (see pool.ts) and without the cpu backend's "install tfjs-node" banner.
 */
export class OneDnnBackend extends MathBackendCPU {
  constructor() {
    super();
    // MathBackendCPU prints a banner recommending tfjs-node on first write; this backend is the fast path.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** Values for user code: a copy when the storage is a recycled buffer, which must not escape. */
  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    return isPooled(values) ? values.slice() : values;
  }

  /**
   * Releases the data like the cpu backend; when the data is gone and it owned a recycled buffer
   * (it was created with it by a native kernel), the buffer goes back to the pool.
   */
  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) release(values, dataId);
    return released;
  }

  /** Called by `tf.removeBackend` / `tf.engine().reset()`: also lets the recycled buffers go. */
  override dispose(): void {
    super.dispose();
    clearPool();
  }
}

/**
 * Bytes of released tensor buffers currently kept for reuse by the native kernels. They stay
 * allocated between training steps on purpose (see `poolBytes`); `releaseBufferPool()` lets them go.
 */
export function bufferPoolBytes(): number {
  return pooledBytes();
}

/** Drops the buffers kept for reuse (e.g. after training, before other work); returns the bytes released. */
export function releaseBufferPool(): number {
  return clearPool();
}

/**
 * After a cpu kernel: an output that is a new tensor but whose storage is (a view of) a recycled
 * buffer of an input, such as the zero-copy view of a contiguous Slice, gets its own copy, so that
 * recycling the input's buffer cannot change it.
 */
function unshare(backend: MathBackendCPU, inputs: NamedTensorInfoMap, result: TensorInfo | TensorInfo[]): void {
  const outputs = Array.isArray(result) ? result : [result];
  for (const out of outputs) {
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
function wrapCpu(cpu: KernelFunc): KernelFunc {
  return (args) => {
    const result = cpu(args);
    unshare(args.backend as MathBackendCPU, args.inputs, result);
    return result;
  };
}

/** Per-kernel counts of native runs, cpu fallbacks (unsupported inputs or attributes) and native errors. */
export interface KernelStat {
  native: number;
  fallback: number;
  errors: number;
}

const stats = new Map<string, KernelStat>();
const warned = new Set<string>();

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

function wrapNative(kernel: NativeKernel, cpu: KernelFunc): KernelFunc {
  const stat: KernelStat = stats.get(kernel.kernelName) ?? { native: 0, fallback: 0, errors: 0 };
  stats.set(kernel.kernelName, stat);
  return (args) => {
    let result: TensorInfo | null;
    try {
      result = kernel.run(args as KernelArgs);
    } catch (err) {
      releaseScratch();
      stat.errors++;
      // Invalid arguments make the cpu kernel throw tfjs's own error; if it succeeds, the native path was at fault.
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

/** Options of `registerOneDnnBackend`. */
export interface OneDnnBackendOptions {
  /** Backend priority for `tf.ready()`'s automatic choice (default 2: above cpu, below tfjs-node). */
  priority?: number;
  /** OpenMP threads for the native kernels (default: `OMP_NUM_THREADS`, else every core). */
  threads?: number;
  /** Overridden kernels to leave on the cpu implementation (for debugging or comparisons). */
  exclude?: string[];
  /**
   * Bytes of released tensor buffers kept for reuse (default: a quarter of the machine's memory;
   * 0 turns recycling off).
   * Training allocates the same sizes every step: reusing them avoids page faults and the full
   * garbage collections that V8 runs under external-memory pressure.
   */
  poolBytes?: number;
  /**
   * Replace tfjs-core's gradients of Mean, Sum and FusedBatchNorm by dispatchers that, while
   * `onednn` is the active backend, compute the same values with fewer kernels (a tile instead of
   * a multiplication by a fresh `ones` tensor; one native pass for batch norm). On other backends
   * and for higher-order gradients they run tfjs-core's functions unchanged. Default true.
   */
  fuseGradients?: boolean;
}

/**
 * Registers the `'onednn'` backend and its kernels (every cpu kernel, with the native ones in front)
 * without selecting it: call `tf.setBackend('onednn')` or let `tf.ready()` choose by priority.
 * Returns false, registering nothing, when the addon is unavailable (see `unavailableReason()`).
 * Calling it again only updates `threads`, `poolBytes` and `fuseGradients`.
 * @throws Error naming the option and the allowed values, for an invalid value or an unknown option name.
 */
export function registerOneDnnBackend(options: OneDnnBackendOptions = {}): boolean {
  const fn = 'registerOneDnnBackend';
  checkObject(fn, 'options', options, ['priority', 'threads', 'exclude', 'poolBytes', 'fuseGradients']);
  const { priority = DEFAULT_PRIORITY, threads, exclude = [], poolBytes = DEFAULT_POOL_BYTES, fuseGradients = true } = options;
  checkNumber(fn, 'options.priority', priority);
  checkNumber(fn, 'options.threads', threads, { min: 1, max: 4096, integer: true });
  checkNames(fn, 'options.exclude', exclude, overriddenKernels);
  checkNumber(fn, 'options.poolBytes', poolBytes, { min: 0, integer: true });
  checkBoolean(fn, 'options.fuseGradients', fuseGradients);
  if (!isAvailable()) return false;
  const addon = nativeAddon();
  if (threads !== undefined) addon.setThreads(threads);
  setPoolCap(poolBytes);
  setFusedGradients(fuseGradients);
  if (fuseGradients) installFusedGradients(ONEDNN_BACKEND_NAME);
  if (!isMissing(findBackendFactory(ONEDNN_BACKEND_NAME))) return true;
  const skip = new Set(exclude);
  const native = new Map(nativeKernels.filter((k) => !skip.has(k.kernelName)).map((k) => [k.kernelName, k]));
  for (const config of getKernelsForBackend('cpu')) {
    if (!isMissing(getKernel(config.kernelName, ONEDNN_BACKEND_NAME))) continue;
    const override = native.get(config.kernelName);
    registerKernel({
      ...config,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: override ? wrapNative(override, wrapCpu(config.kernelFunc)) : wrapCpu(config.kernelFunc),
    });
  }
  if (isMissing(getKernel(BATCH_NORM_GRAD, ONEDNN_BACKEND_NAME))) {
    const stat: KernelStat = { native: 0, fallback: 0, errors: 0 };
    stats.set(BATCH_NORM_GRAD, stat);
    registerKernel({
      kernelName: BATCH_NORM_GRAD,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: (args) => {
        try {
          const result = batchNormGrad(args as KernelArgs);
          stat.native++;
          return result;
        } finally {
          releaseScratch();
        }
      },
    });
  }
  return registerBackend(ONEDNN_BACKEND_NAME, () => new OneDnnBackend(), priority);
}

/** Threads the native kernels use (OpenMP's current maximum), or 0 when the addon is unavailable. */
export function threadCount(): number {
  return isAvailable() ? nativeAddon().getThreads() : 0;
}

/** oneDNN's version as the addon sees it at run time (e.g. "2.6.3"), or null when unavailable. */
export function onednnVersion(): string | null {
  return isAvailable() ? nativeAddon().onednnVersion() : null;
}
