import { sampleBeta } from './beta';
import { boxLambda, cutmixBox, cutmixMinMaxBox } from './box';
import type { CutmixBox } from './box';
import { randomPermutation } from './draws';
import { MIX_OPTION_KEYS, resolvePolicy, usesCutmix } from './policy';
import type { MixOptions, MixPolicy } from './policy';
import { assertRng, defaultRng, drawUniform } from './rng';
import type { Rng } from './rng';
import type { MixupMode } from './types';
import { assertKnownOptions, fail } from './validate';

/**
 * One batch's mixing, drawn once and then applied to the inputs ({@link applyMix}) and to the targets
 * ({@link mixTargets}) alike — Keras' "transformation". Sample `i` takes from sample `permutation[i]`: a blend
 * `λ·x + (1−λ)·x'` when its box is null, the partner's pixels inside the box otherwise. In 'batch' mode `lambda` and
 * `box` hold one entry for the whole batch, else one per sample.
 */
export interface MixDraw {
  /** 'batch': one λ and box for all samples; 'pair' and 'elem': one per sample. */
  mode: MixupMode;
  /** Each sample's partner, a permutation of `0..B−1` (in 'pair' mode partners are mutual). */
  permutation: Int32Array;
  /** Weight of each sample's own targets (1: not mixed). For a box, its true area share when λ is corrected. */
  lambda: number[];
  /** null: blend with λ (MixUp); a box: paste the partner's pixels there (CutMix). */
  box: (CutmixBox | null)[];
}

/**
 * Draws how to mix a batch as timm's `Mixup` does, from `rng` only: for each unit (the batch, a pair or a sample)
 * whether to mix at all (`prob`), MixUp or CutMix (`switchProb`, when both are active) and λ ~ Beta(α, α); then
 * the partners; then each CutMix unit's box (and λ from its area when `correctLam` or `cutmixMinMax`).
 *
 * Odd batches: in 'batch' and 'elem' mode partners come from a random permutation, so any B works (a sample that
 * draws itself is left as it is; its targets are its own twice); in 'pair' mode the ⌊B/2⌋ pairs are random and the
 * one sample left over in an odd batch is not mixed (λ = 1).
 *
 * @param shape the inputs' shape `[B, ...]` (`[B, H, W, C]` when CutMix is active)
 */
export function drawMix(shape: readonly number[], options: MixOptions = {}, rng: Rng = defaultRng()): MixDraw {
  const fn = 'drawMix';
  assertKnownOptions(fn, options, MIX_OPTION_KEYS);
  const policy = resolvePolicy(fn, options);
  if (!Array.isArray(shape) || shape.length < (usesCutmix(policy) ? 4 : 1) || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    fail(fn, 'shape', shape, 'the inputs\' shape [B, ...] ([B, H, W, C] for CutMix)');
  }
  assertRng(fn, rng);
  return drawWithPolicy(fn, policy, shape[0] as number, shape[1] as number, shape[2] as number, rng);
}

/** {@link drawMix} for a checked policy, batch size and image size (H, W only read when CutMix is active). */
export function drawWithPolicy(fn: string, p: MixPolicy, b: number, height: number, width: number, rng: Rng): MixDraw {
  const units = p.mode === 'batch' ? 1 : p.mode === 'pair' ? b >> 1 : b;
  const blend = p.mixupAlpha > 0;
  const cut = usesCutmix(p);
  const lambda: number[] = [];
  const isCut: boolean[] = [];
  let mixed = false;
  for (let u = 0; u < units; u++) {
    // A draw only where there is a choice, so one method at prob 1 draws just its λs (the chapter's sequence).
    const on = (blend || cut) && (p.prob >= 1 || (p.prob > 0 && drawUniform(fn, rng) < p.prob));
    const c = on && (blend && cut ? drawUniform(fn, rng) < p.switchProb : cut);
    const alpha = c ? p.cutmixAlpha : p.mixupAlpha;
    // A min-max box sets λ itself, from its area.
    lambda.push(on && !(c && p.cutmixMinMax) ? sampleBeta(alpha, alpha, rng) : 1);
    isCut.push(c);
    mixed ||= on;
  }
  const n = p.mode === 'batch' ? 1 : b;
  // Which unit each returned entry follows; in 'pair' mode −1 until paired (an odd batch leaves one out).
  const unit = Array.from({ length: n }, (_, i) => (p.mode === 'pair' ? -1 : i));
  let permutation: Int32Array = Int32Array.from({ length: b }, (_, i) => i);
  // Partners are drawn only when something mixes.
  if (mixed && p.mode === 'pair') {
    // Consecutive entries of a random permutation are partners.
    const order = randomPermutation(b, rng);
    for (let u = 0; u < units; u++) {
      const i = order[2 * u] as number;
      const j = order[2 * u + 1] as number;
      permutation[i] = j;
      permutation[j] = i;
      unit[i] = unit[j] = u;
    }
  } else if (mixed) {
    permutation = randomPermutation(b, rng);
  }
  const box = isCut.map((c, u): CutmixBox | null => {
    if (!c) return null;
    const mm = p.cutmixMinMax;
    const bx = mm ? cutmixMinMaxBox(fn, mm, height, width, rng) : cutmixBox(lambda[u] as number, height, width, rng);
    if (mm || p.correctLam) lambda[u] = boxLambda(bx, height, width);
    return bx;
  });
  return { mode: p.mode, permutation, lambda: unit.map((u) => lambda[u] ?? 1), box: unit.map((u) => box[u] ?? null) };
}
