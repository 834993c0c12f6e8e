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

import { isZeroData } from './deferred';
import { fusionOn, setFusion } from './fusionSwitch';
import { BATCH_NORM_GRAD, BATCH_NORM_TRAIN_GRAD } from './kernels/batchnorm';
import { isMissing } from './kernels/common';
import { RELU_GRAD, statisticOf, ZEROS } from './kernels/moments';
import { normalisesWithOwnMoments } from './tapeMatch';

/** What a gradient function returns: one lazy gradient per input name. */
type NamedGradientMap = Record<string, () => Tensor>;

/** Kernels whose gradient gets a dispatcher. */
export const FUSED_GRADIENT_KERNELS = ['Mean', 'Sum', 'FusedBatchNorm', 'Square', 'Sub', 'Relu'] as const;

let installed = false;

/** Whether the dispatchers use their onednn path (they are installed once and stay; this switches them). */
export function setFusedGradients(on: boolean): void {
  setFusion(on);
}

function active(backendName: string): boolean {
  // gradientDepth > 0 while backpropagating means an outer tape records this backward pass.
  return fusionOn() && getBackend() === backendName && engine().state.gradientDepth === 0;
}

/** A float32 zeros tensor of `shape` that costs nothing unless read (deferred.ts). */
function zerosLike(t: Tensor): Tensor {
  return engine().runKernel(ZEROS, {}, { shape: [...t.shape] }) as Tensor;
}

/** Whether dy is float32 data known to be zeros (from zerosLike), for gradients of float32 inputs. */
function zeroDy(dy: Tensor | Tensor[], ...xs: Array<Tensor | undefined>): dy is Tensor {
  return !Array.isArray(dy) && dy.dtype === 'float32' && isZeroData(dy.dataId) && xs.every((x) => !isMissing(x) && x.dtype === 'float32');
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
      if (active(backendName) && zeroDy(dy, x)) return { x: () => zerosLike(x as Tensor) };
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
      // tfjs-layers' training mode: the statistics are x's own moments, and their gradients are folded into dx.
      if (ownMoments(x, mean as Tensor, variance as Tensor) && normalisesWithOwnMoments(saved)) {
        const [tdx, tdScale, tdOffset] = engine().runKernel(BATCH_NORM_TRAIN_GRAD, inputs, attrs) as Tensor[];
        return {
          x: () => tdx as Tensor,
          mean: () => zerosLike(mean as Tensor),
          variance: () => zerosLike(variance as Tensor),
          scale: () => tdScale as Tensor,
          offset: () => tdOffset as Tensor,
        };
      }
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

/**
 * Whether mean and variance hold the per-channel moments of x's data (over every axis but the last),
 * as kernels/moments.ts computed them; the tape check (tapeMatch.ts) then says gradients flow that way.
 */
function ownMoments(x: Tensor, mean: Tensor, variance: Tensor): boolean {
  const m = statisticOf(mean.dataId);
  const v = statisticOf(variance.dataId);
  return m?.kind === 'mean' && m.x === x.dataId && v?.kind === 'variance' && v.x === x.dataId && v.mean === mean.dataId;
}

/** Square and Sub: zeros in, zeros out (the gradients that batch norm's folded statistics send back). */
function zeroPassingDispatcher(original: GradConfig, backendName: string, inputNames: readonly string[]): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      if (active(backendName) && saved.length === inputNames.length && zeroDy(dy, ...saved)) {
        return Object.fromEntries(inputNames.map((name, i) => [name, () => zerosLike(saved[i] as Tensor)]));
      }
      return original.gradFunc(dy, saved, attrs);
    },
  };
}

/** Relu: dy * step(x) in one native pass instead of a Step and a Multiply. */
function reluDispatcher(original: GradConfig, backendName: string): GradConfig {
  return {
    ...original,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap): NamedGradientMap => {
      const x = saved[0];
      if (!active(backendName) || Array.isArray(dy) || isMissing(x) || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.size === 0) {
        return original.gradFunc(dy, saved, attrs);
      }
      if (!util.arraysEqual(x.shape, dy.shape)) return original.gradFunc(dy, saved, attrs);
      if (isZeroData(dy.dataId)) return { x: () => zerosLike(x) };
      return { x: () => engine().runKernel(RELU_GRAD, { x, dy }) as Tensor };
    },
  };
}

/** Installs the dispatchers (once per process) for the backend named `backendName`. */
export function installFusedGradients(backendName: string): void {
  if (installed) return;
  const mean = getGradient('Mean');
  const sum = getGradient('Sum');
  const batchNorm = getGradient('FusedBatchNorm');
  const square = getGradient('Square');
  const sub = getGradient('Sub');
  const relu = getGradient('Relu');
  // A tfjs without these gradients (or with different ones) keeps its own.
  if (isMissing(mean) || isMissing(sum) || isMissing(batchNorm) || isMissing(square) || isMissing(sub) || isMissing(relu)) return;
  registerGradient(reductionDispatcher(mean, backendName, true));
  registerGradient(reductionDispatcher(sum, backendName, false));
  registerGradient(batchNormDispatcher(batchNorm, backendName));
  registerGradient(zeroPassingDispatcher(square, backendName, ['x']));
  registerGradient(zeroPassingDispatcher(sub, backendName, ['a', 'b']));
  registerGradient(reluDispatcher(relu, backendName));
  installed = true;
}
