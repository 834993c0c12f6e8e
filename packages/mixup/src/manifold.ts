import * as tf from '@tensorflow/tfjs';
import { drawWithPolicy } from './mixDraw';
import { mixWith, targetsWith } from './applyMix';
import { MIXUP_MODES, resolvePolicy } from './policy';
import { assertRng, defaultRng, drawUniform } from './rng';
import type { Rng } from './rng';
import type { MixupMode, Targets } from './types';
import { assertAlpha, assertBoolean, assertInputs, assertLabels, assertOneOf, fail } from './validate';

/**
 * One piece of a model split for Manifold MixUp: a `tf.LayersModel` (or any `tf.layers.Layer`), applied eagerly
 * with `{training}`, or a function `(x, training) => y`. The segments run in order, each taking the previous output.
 */
export type Segment = tf.layers.Layer | ((x: tf.Tensor, training: boolean) => tf.Tensor);

/** Options of {@link manifoldMixupForward}. */
export interface ManifoldMixupOptions {
  /** Beta(α, α) parameter; 0 disables mixing. Default 2 (the Manifold MixUp paper's choice for CIFAR). */
  alpha?: number;
  /** 'batch': one λ per batch; 'pair': one per random pair of samples, mixed with each other; 'elem': one per sample. Default 'batch'. */
  mode?: MixupMode;
  /** Training mixes (and runs layers in training mode); evaluation only runs the segments. Default true. */
  training?: boolean;
  /**
   * Where mixing may happen: boundary `b` mixes the input of segment `b` (0 = the network's input, `b` = the output
   * of segment `b−1`). Default every boundary `0..segments.length−1`; the output of the last segment is never mixed.
   */
  boundaries?: readonly number[];
  /** Source of the boundary, λ and permutation; default a shared, randomly seeded generator. */
  rng?: Rng;
}

/** What {@link manifoldMixupForward} returns; the caller owns (and disposes) every tensor in it. */
export interface ManifoldMixupResult {
  /** The network's output, e.g. logits `[B, K]`. */
  predictions: tf.Tensor;
  /** MixUp targets `{yi, yj, lambda}` in training, a copy of the labels in evaluation. */
  targets: Targets;
  /** The boundary that was mixed, or null when nothing was (evaluation, or α = 0). */
  boundary: number | null;
}

/**
 * Runs the segments in order without mixing: the plain forward pass of the split model.
 *
 * @param segments the model's pieces, in order
 * @param xs inputs `[B, ...]`
 * @param training run layers (BatchNorm, Dropout) in training mode; default false
 * @returns the output of the last segment (a new tensor)
 */
export function runSegments(segments: readonly Segment[], xs: tf.Tensor, training = false): tf.Tensor {
  const fn = 'runSegments';
  assertSegments(fn, segments);
  if (!(xs instanceof tf.Tensor)) fail(fn, 'xs', xs, 'a tf.Tensor [B, ...]');
  assertBoolean(fn, 'training', training);
  return runAll(fn, segments, xs, training);
}

/** The whole chain in a tidy; an all-identity chain would hand back the caller's own tensor, so that is copied. */
function runAll(fn: string, segments: readonly Segment[], xs: tf.Tensor, training: boolean): tf.Tensor {
  const out = tf.tidy(() => forward(fn, segments, 0, segments.length, xs, training));
  return out === xs ? out.clone() : out;
}

/**
 * Manifold MixUp (Verma et al., 2019; the chapter's challenge exercise). In training it picks a boundary uniformly
 * from `boundaries` (0 = the input, which is plain MixUp), runs the segments before it, mixes the hidden state there
 * as `λ·h + (1−λ)·h[π]` with one permutation π and λ ~ Beta(α, α), runs the rest, and returns the predictions with
 * targets `{yi: y, yj: y[π], lambda}` for {@link mixupLoss}. In evaluation it runs the segments without mixing.
 * Everything is differentiable: call it inside `optimizer.minimize` or `tf.variableGrads`.
 *
 * @param segments the model's pieces, in order (e.g. stem, stage 1, stage 2, head)
 * @param xs float32 inputs `[B, ...]`, e.g. `[B, H, W, C]`
 * @param ys int32 labels `[B]` or float32 soft targets `[B, K]`
 */
export function manifoldMixupForward(
  segments: readonly Segment[],
  xs: tf.Tensor,
  ys: tf.Tensor,
  { alpha = 2, mode = 'batch', training = true, boundaries, rng = defaultRng() }: ManifoldMixupOptions = {},
): ManifoldMixupResult {
  const fn = 'manifoldMixupForward';
  assertSegments(fn, segments);
  assertInputs(fn, 'xs', xs, '[B, ...]');
  const b = xs.shape[0] as number;
  assertLabels(fn, 'ys', ys, b);
  assertAlpha(fn, alpha);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  assertBoolean(fn, 'training', training);
  const candidates = boundaries ?? segments.map((_, i) => i);
  assertBoundaries(fn, candidates, segments.length);
  assertRng(fn, rng);

  if (!training || alpha === 0) {
    const predictions = runAll(fn, segments, xs, training);
    const targets: Targets = training
      ? { yi: ys.clone(), yj: ys.clone(), lambda: mode === 'batch' ? 1 : tf.ones<tf.Rank.R1>([b], 'float32') }
      : ys.clone();
    return { predictions, targets, boundary: null };
  }

  const boundary = candidates[Math.min(candidates.length - 1, Math.floor(drawUniform(fn, rng) * candidates.length))] as number;
  const draw = drawWithPolicy(fn, resolvePolicy(fn, { mixupAlpha: alpha, mode }), b, 1, 1, rng);
  // Everything runs in one tidy, so a segment that throws (or drops samples) leaves nothing behind.
  const predictions = tf.tidy(() => {
    const hidden = forward(fn, segments, 0, boundary, xs, true);
    if (hidden.rank < 1 || hidden.shape[0] !== b) fail(fn, `the hidden state at boundary ${boundary}`, hidden, `[${b}, ...] (the batch kept)`);
    return forward(fn, segments, boundary, segments.length, mixWith(hidden, draw), true);
  });
  return { predictions, targets: targetsWith(ys, draw), boundary };
}

function forward(fn: string, segments: readonly Segment[], from: number, to: number, x: tf.Tensor, training: boolean): tf.Tensor {
  let h = x;
  for (let i = from; i < to; i++) {
    const seg = segments[i] as Segment;
    const out = seg instanceof tf.layers.Layer ? seg.apply(h, { training }) : seg(h, training);
    if (!(out instanceof tf.Tensor)) {
      fail(fn, `segment ${i}'s output`, out, 'one tf.Tensor');
    }
    h = out;
  }
  return h;
}

function assertSegments(fn: string, segments: unknown): asserts segments is readonly Segment[] {
  const allowed = 'tf.LayersModel, tf.layers.Layer or (x, training) => Tensor';
  if (!Array.isArray(segments) || segments.length === 0) fail(fn, 'segments', segments, `a non-empty array of ${allowed}`);
  segments.forEach((s: unknown, i) => {
    if (!(s instanceof tf.layers.Layer) && typeof s !== 'function') fail(fn, `segments[${i}]`, s, `a ${allowed}`);
  });
}

function assertBoundaries(fn: string, boundaries: unknown, count: number): asserts boundaries is readonly number[] {
  const ok = Array.isArray(boundaries) && boundaries.length > 0 && boundaries.every((v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < count);
  if (!ok) fail(fn, 'boundaries', boundaries, `a non-empty array of integers in [0, ${count - 1}] (0 = the input)`);
}
