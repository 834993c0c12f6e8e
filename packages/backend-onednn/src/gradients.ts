/**
 * Cheaper gradients for three kernels, used only while `onednn` is the active backend.
 *
 * tfjs-core defines gradients per kernel name for every backend. Three of them dominate a
 * BatchNorm network's backward pass on this backend without doing much arithmetic:
 * - Mean and Sum: `dy` broadcast back to x's shape, written as `mul(dy, ones(x.shape))`, which fills
 *   a full-size `ones` tensor in JavaScript (plus V8 garbage collections under external-memory
 *   pressure) and makes two full passes;
 * - FusedBatchNorm: about fifteen full-size element-wise kernels and four reductions.
 *
 * The dispatchers below replace those three registry entries. While `onednn` is active and the
 * inputs qualify, they compute the same quantities with fewer kernels: a `tile` of `dy / n`
 * (bit-identical to the original, and itself differentiable), and one native pass for the batch-norm
 * gradient (same formulas, float rounding aside). Otherwise — another backend, other dtypes or
 * shapes, or a higher-order gradient (an outer tape is recording, so the result must be
 * differentiable) — they call tfjs-core's original function unchanged.
 */
import { div, engine, getBackend, getGradient, registerGradient, reshape, tile, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

import { BATCH_NORM_GRAD } from './kernels/batchnorm';
import { isMissing } from './kernels/common';

/** What a gradient function returns: one lazy gradient per input name. */
type NamedGradientMap = Record<string, () => Tensor>;

/** Kernels whose gradient gets a dispatcher. */
export const FUSED_GRADIENT_KERNELS = ['Mean', 'Sum', 'FusedBatchNorm'] as const;

let installed = false;
let enabled = true;

/** Whether the dispatchers use their onednn path (they are installed once and stay; this switches them). */
export function setFusedGradients(on: boolean): void {
  enabled = on;
}

function active(backendName: string): boolean {
  // gradientDepth > 0 while backpropagating means an outer tape records this backward pass.
  return enabled && getBackend() === backendName && engine().state.gradientDepth === 0;
}

/** `dy` of a reduction broadcast back to x's shape: tile(reshape(dy / scale)). */
function broadcastBack(dy: Tensor, x: Tensor, attrs: NamedAttrMap, divideByCount: boolean): Tensor {
  const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const expanded = x.shape.slice();
  for (const a of axes) expanded[a] = 1;
  const reps = x.shape.map((d, i) => d / (expanded[i] as number));
  const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
  const scaled = divideByCount ? div(dy, count) : dy;
  return tile(reshape(scaled, expanded), reps);
}

/** Whether the reduction's axes are valid and distinct (repeated axes keep tfjs-core's own gradient). */
function distinctAxes(attrs: NamedAttrMap, x: Tensor): boolean {
  try {
    const axes = util.parseAxisParam(attrs.axis as number | number[], x.shape);
    return new Set(axes).size === axes.length;
  } catch {
    return false;
  }
}

function reductionDispatcher(original: GradConfig, backendName: string, divideByCount: boolean): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const x = saved[0];
      if (!active(backendName) || Array.isArray(dy) || isMissing(x) || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0 || !distinctAxes(attrs, x)) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => broadcastBack(dy, x, attrs, divideByCount) };
    },
  };
}

function batchNormDispatcher(original: GradConfig, backendName: string): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const [x, mean, variance, scale] = saved;
      const channels = x?.shape[x.shape.length - 1];
      const vector = (t: Tensor | undefined) => !isMissing(t) && t.rank === 1 && t.size === channels && t.dtype === 'float32';
      if (
        !active(backendName) ||
        Array.isArray(dy) ||
        isMissing(x) ||
        x.dtype !== 'float32' ||
        dy.dtype !== 'float32' ||
        x.size === 0 ||
        !vector(mean) ||
        !vector(variance) ||
        !(isMissing(scale) || vector(scale))
      ) {
        return original.gradFunc(dy, saved, attrs);
      }
      const inputs: Record<string, Tensor> = { x, mean: mean as Tensor, variance: variance as Tensor, dy };
      if (!isMissing(scale)) inputs.scale = scale;
      const [dx, dMean, dVariance, dScale, dOffset] = engine().runKernel(BATCH_NORM_GRAD, inputs, attrs) as Tensor[];
      return {
        x: () => dx as Tensor,
        mean: () => dMean as Tensor,
        variance: () => dVariance as Tensor,
        scale: () => dScale as Tensor,
        offset: () => dOffset as Tensor,
      };
    },
  };
}

/** Installs the dispatchers (once per process) for the backend named `backendName`. */
export function installFusedGradients(backendName: string): void {
  if (installed) return;
  const mean = getGradient('Mean');
  const sum = getGradient('Sum');
  const batchNorm = getGradient('FusedBatchNorm');
  // A tfjs without these gradients (or with different ones) keeps its own.
  if (isMissing(mean) || isMissing(sum) || isMissing(batchNorm)) return;
  registerGradient(reductionDispatcher(mean, backendName, true));
  registerGradient(reductionDispatcher(sum, backendName, false));
  registerGradient(batchNormDispatcher(batchNorm, backendName));
  installed = true;
}
