import type { MixMethod, MixupMode } from './types';
import { assertAlpha, assertBoolean, assertOneOf, assertProbability, fail } from './validate';

/**
 * How a batch is mixed: everything timm's `Mixup` takes except the targets' `label_smoothing`/`num_classes` (those
 * belong to the soft targets and losses here). Give `method` and `alpha` for one method, or `mixupAlpha` and/or
 * `cutmixAlpha` (timm's names) for either or both; not the two forms at once.
 */
export interface MixOptions {
  /** One method: 'mixup' blends whole inputs, 'cutmix' pastes a box (needs `[B, H, W, C]`). Default 'mixup'. */
  method?: MixMethod;
  /** Beta(α, α) of the one `method`; 0 disables mixing. Default 0.25 for 'mixup' (the chapter's), 1 for 'cutmix'. */
  alpha?: number;
  /** MixUp's Beta(α, α), active when > 0 (timm's `mixup_alpha`). Default 0 once `cutmixAlpha` is given. */
  mixupAlpha?: number;
  /** CutMix's Beta(α, α), active when > 0 (timm's `cutmix_alpha`). Default 0 once `mixupAlpha` is given. */
  cutmixAlpha?: number;
  /**
   * `[min, max]`: CutMix box sides drawn uniformly from `⌊min·H⌋..⌊max·H⌋` (and the same of W) instead of from a
   * Beta λ, the box placed uniformly inside the image, λ from its area (timm's `cutmix_minmax`). Turns CutMix on.
   */
  cutmixMinMax?: readonly [number, number];
  /** Probability of mixing a batch ('batch' mode), a pair ('pair') or a sample ('elem') at all. Default 1. */
  prob?: number;
  /** With MixUp and CutMix both active, the probability of CutMix for each batch, pair or sample. Default 0.5. */
  switchProb?: number;
  /** λ of a CutMix box recomputed from its clipped area (timm's `correct_lam`); always so for `cutmixMinMax`. Default true. */
  correctLam?: boolean;
  /**
   * 'batch': one λ and method for the batch (the chapter); 'pair': one per random pair of samples, which swap
   * (timm's 'pair'); 'elem': one per sample, each mixed with a random partner. Default 'batch'.
   */
  mode?: MixupMode;
}

/** {@link MixOptions} checked and with their defaults: what a draw needs. */
export interface MixPolicy {
  mixupAlpha: number;
  cutmixAlpha: number;
  cutmixMinMax: readonly [number, number] | undefined;
  prob: number;
  switchProb: number;
  correctLam: boolean;
  mode: MixupMode;
}

export const MIX_METHODS: readonly MixMethod[] = ['mixup', 'cutmix'];
export const MIXUP_MODES: readonly MixupMode[] = ['batch', 'pair', 'elem'];
export const MIX_OPTION_KEYS = ['method', 'alpha', 'mixupAlpha', 'cutmixAlpha', 'cutmixMinMax', 'prob', 'switchProb', 'correctLam', 'mode'];

/** The α used when none is given: the chapter's 0.25 for MixUp, the CutMix paper's 1 for CutMix. */
export function defaultAlpha(method: MixMethod): number {
  return method === 'cutmix' ? 1 : 0.25;
}

/** True when the policy can paste boxes, so inputs must be images `[B, H, W, C]`. */
export function usesCutmix(p: MixPolicy): boolean {
  return p.cutmixAlpha > 0 || p.cutmixMinMax !== undefined;
}

/** Checks the {@link MixOptions} a caller was given and fills in the defaults (the caller checks the option names). */
export function resolvePolicy(fn: string, options: MixOptions): MixPolicy {
  const { method, alpha, mixupAlpha, cutmixAlpha, cutmixMinMax, prob = 1, switchProb = 0.5, correctLam = true, mode = 'batch' } = options;
  let ma = mixupAlpha ?? 0;
  let ca = cutmixAlpha ?? 0;
  if (mixupAlpha !== undefined || cutmixAlpha !== undefined) {
    if (method !== undefined || alpha !== undefined) {
      fail(fn, 'options', options, 'either {method, alpha} or {mixupAlpha, cutmixAlpha}, not both');
    }
  } else {
    const m = method ?? (cutmixMinMax ? 'cutmix' : 'mixup');
    assertOneOf(fn, 'method', m, MIX_METHODS);
    if (cutmixMinMax && m !== 'cutmix') fail(fn, 'method', m, "'cutmix' with cutmixMinMax");
    const a = alpha ?? defaultAlpha(m);
    assertAlpha(fn, a);
    if (m === 'mixup') ma = a;
    else ca = a;
  }
  assertAlpha(fn, ma, 'mixupAlpha');
  assertAlpha(fn, ca, 'cutmixAlpha');
  const mm: unknown = cutmixMinMax;
  const [lo, hi] = (Array.isArray(mm) ? mm : []) as number[];
  if (mm !== undefined && !(Array.isArray(mm) && mm.length === 2 && typeof lo === 'number' && typeof hi === 'number' && lo >= 0 && lo <= hi && hi <= 1)) {
    fail(fn, 'cutmixMinMax', mm, '[min, max] with 0 <= min <= max <= 1 (fractions of the image side)');
  }
  assertProbability(fn, 'prob', prob);
  assertProbability(fn, 'switchProb', switchProb);
  assertBoolean(fn, 'correctLam', correctLam);
  assertOneOf(fn, 'mode', mode, MIXUP_MODES);
  return { mixupAlpha: ma, cutmixAlpha: ca, cutmixMinMax, prob, switchProb, correctLam, mode };
}
