import { experimentSeconds, formatDuration, type Sizes, type Throughput } from './estimate';
import type { Experiment, ExperimentPlan } from './experiments/types';

/** A run's sizes and each experiment's epochs and seeds. */
export interface RunPlan {
  sizes: Sizes;
  plans: Record<string, ExperimentPlan>;
  /** Estimated seconds of the whole run. */
  seconds: number;
  /** Why these sizes, in sentences (printed and recorded). */
  why: string[];
}

/** An experiment whose models are all small CNNs: cheap, so it gets seeds before the ResNets get epochs. */
function isCnnOnly(e: Experiment): boolean {
  return e.trains && e.models().every((m) => (m.workload.resnet ?? 0) === 0);
}

const seedList = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

/** Estimated seconds of `experiments` with the CNN-only ones at `cnn` and the others at `other`. */
function total(experiments: readonly Experiment[], sizes: Sizes, t: Throughput, cnn: ExperimentPlan, other: ExperimentPlan): number {
  return experiments.reduce((s, e) => s + experimentSeconds(e, isCnnOnly(e) ? cnn : other, sizes, t), 10);
}

/**
 * The CNN experiments' share of the budget beside ResNet experiments. Measured here (onednn, 2 vCPUs, 15 minutes): at
 * a third, one seed of 10 epochs left the shift std claim at p = 0.15 while the ResNet claim had p = 5e-10 after 3
 * epochs; at 0.4 the CNNs get a second seed and the ResNets keep their 3 epochs.
 */
export const CNN_SHARE = 0.4;

/** Epochs the ResNet experiments keep before the CNNs get more seeds (their claims need training more than power). */
export const RESNET_MIN_EPOCHS = 3;

/** The CNN experiments' steps of growth: epochs first (the claims need trained models), then seeds (power). */
const CNN_STEPS: [number, number][] = [
  [5, 1], [8, 1], [10, 1], [10, 2], [12, 2], [15, 2], [15, 3], [20, 3], [25, 3], [30, 3], [30, 4], [30, 5],
];

/**
 * Sizes a run to `budget` seconds: the train/test sizes given, then for the CNN-only experiments (shift, exercise 2)
 * epochs and seeds from {@link CNN_STEPS}, and for the others (the ResNets) as many epochs as fit, up to the chapter's 30.
 * The CNNs get at most {@link CNN_SHARE} of the budget when ResNets are in the run: the shift claims need seeds for their
 * paired tests' power, the ResNet claims need epochs. Returns null when even the smallest plan does not fit.
 */
export function planToBudget(experiments: readonly Experiment[], sizes: Sizes, t: Throughput, budget: number, firstSeed: number): RunPlan | null {
  const cnnOnly = experiments.filter(isCnnOnly);
  const others = experiments.filter((e) => e.trains && !isCnnOnly(e));
  const plan = (epochs: number, seeds: number): ExperimentPlan => ({ epochs, seeds: seedList(firstSeed, seeds) });
  // The ResNets' minimum first, so the CNNs' seeds never push them below it; the CNNs grow within their share of
  // what is left; then the ResNets take the rest as epochs.
  const resnetMinimum = plan(RESNET_MIN_EPOCHS, 1);
  const reserved = others.length ? total(others, sizes, t, resnetMinimum, resnetMinimum) - 10 : 0;
  const cnnShare = others.length ? Math.min(budget * CNN_SHARE, budget - 10 - reserved) : budget - 10;
  let cnn = plan(...(CNN_STEPS[0] as [number, number]));
  for (const [e, s] of CNN_STEPS) {
    const candidate = plan(e, s);
    if (total(cnnOnly, sizes, t, candidate, candidate) - 10 > cnnShare) break;
    cnn = candidate;
  }
  const cnnSeconds = total(cnnOnly, sizes, t, cnn, cnn) - 10;
  let other: ExperimentPlan | null = others.length ? null : plan(1, 1);
  for (let epochs = 1; others.length && epochs <= 30; epochs++) {
    const candidate = plan(epochs, 1);
    if (total(experiments, sizes, t, cnn, candidate) > budget) break;
    other = candidate;
  }
  if (other === null || total(experiments, sizes, t, cnn, other) > budget) return null;
  const plans: Record<string, ExperimentPlan> = {};
  for (const e of experiments) plans[e.key] = isCnnOnly(e) ? cnn : other;
  const seconds = total(experiments, sizes, t, cnn, other);
  const why = [
    `sized to finish in about ${formatDuration(budget)} on this backend (measured ${t.cnn.toFixed(0)} img/s for the CNN, ${t.resnet.toFixed(0)} img/s for the ResNet${t.resnetExtrapolated ? ', extrapolated' : ''}): estimated ${formatDuration(seconds)}`,
    `${sizes.trainSize.toLocaleString('en-US')} training / ${sizes.testSize.toLocaleString('en-US')} test images`,
  ];
  if (cnnOnly.length) why.push(`${cnnOnly.map((e) => e.key).join(', ')}: ${cnn.epochs} epochs × ${cnn.seeds.length} seed${cnn.seeds.length > 1 ? 's' : ''} (the CNNs are cheap: seeds give the paired tests power; about ${formatDuration(cnnSeconds)})`);
  if (others.length && other) {
    why.push(`${others.map((e) => e.key).join(', ')}: ${other.epochs} epochs × 1 seed (the ResNets take most of the time; the chapter trains 30 epochs)`);
  }
  return { sizes, plans, seconds, why };
}

/** A plan with the same epochs and seeds for every experiment (a preset, or sizes the user gave). */
export function fixedPlan(experiments: readonly Experiment[], sizes: Sizes, t: Throughput | null, epochs: number, seeds: number[], why: string): RunPlan {
  const plans: Record<string, ExperimentPlan> = {};
  for (const e of experiments) plans[e.key] = { epochs, seeds };
  const seconds = t ? experiments.reduce((s, e) => s + experimentSeconds(e, { epochs, seeds }, sizes, t), 10) : Number.NaN;
  return { sizes, plans, seconds, why: [why, `${sizes.trainSize.toLocaleString('en-US')} training / ${sizes.testSize.toLocaleString('en-US')} test images, ${epochs} epoch${epochs === 1 ? '' : 's'}, seed${seeds.length > 1 ? 's' : ''} ${seeds.join(', ')}`] };
}
