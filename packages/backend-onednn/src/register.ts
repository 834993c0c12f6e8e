/**
 * Registration of the `'onednn'` backend with tfjs: on import (index.ts), like tfjs-node, and again
 * by `registerOneDnnBackend(options)` to change its settings.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { engine, findBackendFactory, getKernel, getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs-core';

import { OneDnnBackend, ONEDNN_BACKEND_NAME } from './backend';
import { FUSED_GRADIENT_KERNELS, installFusedGradients, setFusedGradients } from './gradients';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN_GRAD, batchNormGrad, batchNormTrainGrad } from './kernels/batchnorm';
import type { KernelArgs } from './kernels/common';
import { isMissing, releaseScratch } from './kernels/common';
import { nativeKernels } from './kernels/index';
import { RELU_GRAD, reluGrad, ZEROS, zeros } from './kernels/moments';
import { isAvailable, nativeAddon, unavailableFix, unavailableReason } from './native';
import { DEFAULT_POOL_BYTES, DEFAULT_POOL_IDLE_MS, DEFAULT_POOL_MAX_BUFFER_BYTES, setPoolPolicy } from './pool';
import { assertBoolean, assertNames, assertNumber, assertOptions } from './validate';
import { statFor, wrapCpu, wrapNative } from './wrap';

/**
 * Default priority: above `cpu` (1) so `tf.ready()` picks it over the pure-JS kernels, below
 * `tensorflow` (tfjs-node, 3) so a working tfjs-node still wins.
 */
export const DEFAULT_PRIORITY = 2;

/**
 * Priority of the stand-in registered when the addon is unavailable: below cpu, so tfjs never picks
 * it by itself (it would warn at every start); `tf.setBackend('onednn')` reaches it and says why.
 */
const UNAVAILABLE_PRIORITY = -1;

/** Kernels whose tfjs-core gradient is replaced by an onednn-only dispatcher (option `fuseGradients`). */
export const fusedGradientKernels: readonly string[] = FUSED_GRADIENT_KERNELS;

/** Names of the tfjs kernels with a native implementation (all others run the cpu kernel). */
export const overriddenKernels: readonly string[] = nativeKernels.map((k) => k.kernelName);

/** Options of `registerOneDnnBackend`. */
export interface OneDnnBackendOptions {
  /** Backend priority for `tf.ready()`'s automatic choice (default 2: above cpu, below tfjs-node). */
  priority?: number;
  /** OpenMP threads for the native kernels (default: `OMP_NUM_THREADS`, else every core). */
  threads?: number;
  /** Overridden kernels to leave on the cpu implementation (for debugging or comparisons); each call replaces the list. */
  exclude?: string[];
  /**
   * Bytes of released tensor buffers kept for reuse (default: a quarter of the machine's memory;
   * 0 turns recycling off).
   * Training allocates the same sizes every step: reusing them avoids page faults and the full
   * garbage collections that V8 runs under external-memory pressure.
   */
  poolBytes?: number;
  /** Buffers larger than this are never kept; their memory is returned when their tensor is freed (default 256 MiB). */
  poolMaxBufferBytes?: number;
  /** A kept buffer unused for this many milliseconds is dropped and its memory returned (default 3000). */
  poolIdleMs?: number;
  /**
   * Replace tfjs-core's gradients of Mean, Sum, FusedBatchNorm, Relu, Square and Sub by dispatchers
   * that, while `onednn` is the active backend, compute the same values with fewer kernels, and defer
   * `tf.moments`' full-size intermediates (batch norm in training mode: its gradient then folds the
   * statistics' gradients into dx in one native kernel). On other backends and for higher-order
   * gradients the dispatchers run tfjs-core's functions unchanged. Default true.
   */
  fuseGradients?: boolean;
}

const OPTION_NAMES = ['priority', 'threads', 'exclude', 'poolBytes', 'poolMaxBufferBytes', 'poolIdleMs', 'fuseGradients'] as const;

/**
 * 'new' until the first call with the addon available; then 'own' when this copy registered the
 * backend, or 'foreign' when another copy of the package (its CommonJS and ES module builds both
 * loaded) had: that copy's kernels, pool and gradient dispatchers serve the backend.
 */
let registration: 'new' | 'own' | 'foreign' = 'new';

function validate(options: unknown): asserts options is OneDnnBackendOptions {
  const fn = 'registerOneDnnBackend';
  assertOptions(fn, 'options', options, OPTION_NAMES);
  const o = options as Record<string, unknown>;
  if (o.priority !== undefined) assertNumber(fn, 'options.priority', o.priority);
  if (o.threads !== undefined) assertNumber(fn, 'options.threads', o.threads, { min: 1, max: 4096, integer: true });
  if (o.exclude !== undefined) assertNames(fn, 'options.exclude', o.exclude, overriddenKernels);
  if (o.poolBytes !== undefined) assertNumber(fn, 'options.poolBytes', o.poolBytes, { min: 0, integer: true });
  if (o.poolMaxBufferBytes !== undefined) assertNumber(fn, 'options.poolMaxBufferBytes', o.poolMaxBufferBytes, { min: 0, integer: true });
  if (o.poolIdleMs !== undefined) assertNumber(fn, 'options.poolIdleMs', o.poolIdleMs, { min: 1, integer: true });
  if (o.fuseGradients !== undefined) assertBoolean(fn, 'options.fuseGradients', o.fuseGradients);
}

/** The message `tf.setBackend('onednn')` shows (through tfjs's warning) when the addon is unavailable. */
export function unavailableMessage(): string {
  return `@aa/backend-onednn: the 'onednn' backend is unavailable: ${unavailableReason()}. To fix: ${unavailableFix()}. Until then tfjs uses its 'cpu' backend.`;
}

/** Overridden kernels left to the cpu implementation (option `exclude`), looked up at every call. */
let excluded = new Set<string>();

/** Registers every cpu kernel for onednn, the native ones in front, and the batch-norm gradient kernel. */
function registerKernels(): void {
  const native = new Map(nativeKernels.map((k) => [k.kernelName, k]));
  for (const config of getKernelsForBackend('cpu')) {
    if (!isMissing(getKernel(config.kernelName, ONEDNN_BACKEND_NAME))) continue;
    const override = native.get(config.kernelName);
    const cpu = wrapCpu(config.kernelFunc);
    let kernelFunc = cpu;
    if (override !== undefined) {
      const name = config.kernelName;
      const fast = wrapNative(override, cpu);
      kernelFunc = (args) => (excluded.has(name) ? cpu(args) : fast(args));
    }
    registerKernel({ ...config, backendName: ONEDNN_BACKEND_NAME, kernelFunc });
  }
  // The backend's own kernels, run only by its gradient dispatchers (gradients.ts).
  const own: Array<[string, (args: KernelArgs) => TensorInfo | TensorInfo[]]> = [
    [BATCH_NORM_GRAD, batchNormGrad],
    [BATCH_NORM_TRAIN_GRAD, batchNormTrainGrad],
    [RELU_GRAD, reluGrad],
    [ZEROS, zeros],
  ];
  for (const [kernelName, run] of own) {
    if (!isMissing(getKernel(kernelName, ONEDNN_BACKEND_NAME))) continue;
    const stat = statFor(kernelName);
    registerKernel({
      kernelName,
      backendName: ONEDNN_BACKEND_NAME,
      kernelFunc: (args) => {
        try {
          const result = run(args as KernelArgs);
          stat.native++;
          return result;
        } finally {
          releaseScratch();
        }
      },
    });
  }
}

/**
 * Registers the `'onednn'` backend and its kernels (every cpu kernel, with the native ones in front)
 * without selecting it: call `tf.setBackend('onednn')` or let `tf.ready()` choose by priority.
 * Importing the package already does this with the defaults; call it to change `priority`,
 * `threads`, `exclude`, the pool bounds or `fuseGradients` (options left out keep their value).
 * Returns false when the addon is unavailable (see `unavailableReason()`): then `'onednn'` is only
 * a stand-in whose initialisation fails with the reason and the fix.
 * @throws Error naming the option and the allowed values, for an invalid value or an unknown option name.
 */
export function registerOneDnnBackend(options: OneDnnBackendOptions = {}): boolean {
  validate(options);
  const { priority, threads, exclude, poolBytes, poolMaxBufferBytes, poolIdleMs, fuseGradients } = options;
  if (!isAvailable()) {
    if (isMissing(findBackendFactory(ONEDNN_BACKEND_NAME))) {
      registerBackend(
        ONEDNN_BACKEND_NAME,
        () => {
          throw new Error(unavailableMessage());
        },
        UNAVAILABLE_PRIORITY,
      );
    }
    return false;
  }
  if (threads !== undefined) nativeAddon().setThreads(threads);
  if (registration === 'new' && !isMissing(findBackendFactory(ONEDNN_BACKEND_NAME))) registration = 'foreign';
  if (registration === 'foreign') return updatePriority(priority);
  const first = registration === 'new';
  if (exclude !== undefined) excluded = new Set(exclude);
  setPoolPolicy({
    ...(poolBytes !== undefined || first ? { capBytes: poolBytes ?? DEFAULT_POOL_BYTES } : {}),
    ...(poolMaxBufferBytes !== undefined || first ? { maxBufferBytes: poolMaxBufferBytes ?? DEFAULT_POOL_MAX_BUFFER_BYTES } : {}),
    ...(poolIdleMs !== undefined || first ? { idleMs: poolIdleMs ?? DEFAULT_POOL_IDLE_MS } : {}),
  });
  if (fuseGradients !== undefined || first) {
    setFusedGradients(fuseGradients ?? true);
    if (fuseGradients !== false) installFusedGradients(ONEDNN_BACKEND_NAME);
  }
  if (first) {
    registration = 'own';
    registerKernels();
    registerBackend(ONEDNN_BACKEND_NAME, () => new OneDnnBackend(), priority ?? DEFAULT_PRIORITY);
    return true;
  }
  return updatePriority(priority);
}

/** tfjs has no call to change a registered priority; its registry entry holds it (read by tf.ready()). */
function updatePriority(priority: number | undefined): true {
  const entry = engine().registryFactory[ONEDNN_BACKEND_NAME];
  if (priority !== undefined && entry !== undefined) entry.priority = priority;
  return true;
}

/** Threads the native kernels use (OpenMP's current maximum), or 0 when the addon is unavailable. */
export function threadCount(): number {
  return isAvailable() ? nativeAddon().getThreads() : 0;
}

/** oneDNN's version as the addon sees it at run time (e.g. "2.6.3"), or null when unavailable. */
export function onednnVersion(): string | null {
  return isAvailable() ? nativeAddon().onednnVersion() : null;
}
