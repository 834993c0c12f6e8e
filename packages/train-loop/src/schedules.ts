import { assertFunction, assertNumber, fail } from './validate';

/**
 * A learning-rate schedule: the learning rate after `step` schedule steps, given the optimizer's base
 * learning rate. Schedules are pure functions of the step count, so their whole state is `step` (and
 * the base rate), which is what checkpoints save. `trainNetwork` steps them once per epoch by default,
 * like the chapter's `lr_schedule.step()` after every epoch.
 */
export type LrSchedule = (step: number, baseLr: number) => number;

function checkStep(fn: string, step: number, baseLr: number): void {
  assertNumber(fn, 'step', step, { min: 0, integer: true });
  assertNumber(fn, 'baseLr', baseLr, { min: 0 });
}

/** Options of {@link cosineAnnealing}. */
export interface CosineAnnealingOptions {
  /** Half-period `T_max` in steps (the chapter uses the number of epochs). */
  tMax: number;
  /** Minimum learning rate `eta_min`. Default 0. */
  etaMin?: number;
}

/**
 * PyTorch's `CosineAnnealingLR`: `eta_min + (base − eta_min)·(1 + cos(π·t/T_max))/2`.
 * Past `T_max` the cosine keeps going (the rate climbs back up), as PyTorch's does.
 */
export function cosineAnnealing({ tMax, etaMin = 0 }: CosineAnnealingOptions): LrSchedule {
  const fn = 'cosineAnnealing';
  assertNumber(fn, 'tMax', tMax, { min: 0, minExclusive: true });
  assertNumber(fn, 'etaMin', etaMin, { min: 0 });
  return (step, baseLr) => {
    checkStep(fn, step, baseLr);
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
  };
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Multiply the rate by `gamma` every `stepSize` steps. */
  stepSize: number;
  /** Decay factor. Default 0.1. */
  gamma?: number;
}

/** PyTorch's `StepLR`: `base · gamma^floor(t / stepSize)`. */
export function stepDecay({ stepSize, gamma = 0.1 }: StepDecayOptions): LrSchedule {
  const fn = 'stepDecay';
  assertNumber(fn, 'stepSize', stepSize, { min: 1, integer: true });
  assertNumber(fn, 'gamma', gamma, { min: 0 });
  return (step, baseLr) => {
    checkStep(fn, step, baseLr);
    return baseLr * gamma ** Math.floor(step / stepSize);
  };
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** Steps over which the factor climbs from `startFactor` to 1. Default 5. */
  steps?: number;
  /** Factor at step 0. Default 1/3 (PyTorch's `LinearLR` default). */
  startFactor?: number;
}

/**
 * Linear warm-up, PyTorch's `LinearLR` with `end_factor = 1`:
 * `base · (startFactor + (1 − startFactor)·min(t, steps)/steps)`, then the base rate.
 */
export function linearWarmup({ steps = 5, startFactor = 1 / 3 }: LinearWarmupOptions = {}): LrSchedule {
  const fn = 'linearWarmup';
  assertNumber(fn, 'steps', steps, { min: 1, integer: true });
  assertNumber(fn, 'startFactor', startFactor, { min: 0, max: 1 });
  return (step, baseLr) => {
    checkStep(fn, step, baseLr);
    return baseLr * (startFactor + ((1 - startFactor) * Math.min(step, steps)) / steps);
  };
}

/**
 * Runs schedules one after another, like PyTorch's `SequentialLR`: `schedules[i]` is used from
 * `milestones[i-1]` on, restarted at step 0. Example: 5 warm-up epochs then 25 cosine epochs is
 * `sequentialSchedules([linearWarmup({steps: 5}), cosineAnnealing({tMax: 25})], [5])`.
 *
 * @param schedules At least one schedule.
 * @param milestones Increasing step counts, one fewer than `schedules`.
 */
export function sequentialSchedules(schedules: readonly LrSchedule[], milestones: readonly number[]): LrSchedule {
  const fn = 'sequentialSchedules';
  if (!Array.isArray(schedules) || schedules.length === 0) fail(fn, 'schedules', schedules, 'a non-empty array of schedules');
  schedules.forEach((s, i) => assertFunction(fn, `schedules[${i}]`, s));
  if (!Array.isArray(milestones) || milestones.length !== schedules.length - 1) {
    fail(fn, 'milestones', milestones, `an array of ${schedules.length - 1} increasing step counts`);
  }
  milestones.forEach((m, i) => assertNumber(fn, `milestones[${i}]`, m, { min: i === 0 ? 1 : (milestones[i - 1] as number) + 1, integer: true }));
  return (step, baseLr) => {
    checkStep(fn, step, baseLr);
    let i = 0;
    while (i < milestones.length && step >= (milestones[i] as number)) i++;
    const start = i === 0 ? 0 : (milestones[i - 1] as number);
    return (schedules[i] as LrSchedule)(step - start, baseLr);
  };
}

/**
 * Chains schedules at the same step: each one's output is the next one's base rate, like PyTorch's
 * `ChainedScheduler` for these closed forms. `chainSchedules(linearWarmup(), cosineAnnealing({tMax: 30}))`
 * multiplies a warm-up ramp into the cosine curve (with `etaMin` 0).
 */
export function chainSchedules(...schedules: LrSchedule[]): LrSchedule {
  const fn = 'chainSchedules';
  if (schedules.length === 0) fail(fn, 'schedules', schedules, 'at least one schedule');
  schedules.forEach((s, i) => assertFunction(fn, `schedules[${i}]`, s));
  return (step, baseLr) => {
    checkStep(fn, step, baseLr);
    return schedules.reduce((lr, s) => s(step, lr), baseLr);
  };
}
