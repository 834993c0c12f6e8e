import type { ModelRun } from '../experiments/types';
import { mcnemarExact, meanAndSpread, median, wilcoxonSignedRank } from './stats';

/** What a run says about one claim of the chapter. */
export type Verdict = 'reproduced' | 'not reproduced' | 'inconclusive';

/** One claim of the chapter, tested on a run's results (results.json's `claims`). */
export interface Claim {
  /** Stable id, e.g. `aa-lowers-shift-std`. */
  id: string;
  /** The finding in a few words, for the report's summary (`anti-aliasing steadies predictions under shifts`). */
  finding: string;
  /** The claim in plain words, with where the chapter makes it. */
  statement: string;
  /** The experiment whose models test it. */
  experiment: string;
  verdict: Verdict;
  /** Two-sided p-value of the paired test (null when the claim is not a statistical one, or it could not run). */
  pValue: number | null;
  /** The size and sign of the effect, in the claim's direction (positive: as the chapter says), and in words. */
  effect: { measure: string; value: number; display: string } | null;
  /** The test used. */
  test: string;
  /** Why the verdict is what it is, and the figures behind it: plain sentences. */
  evidence: string[];
}

/** Significance level of every claim. */
export const ALPHA = 0.05;

/** Epochs of the chapter's protocol: a run this long that shows no effect counts against a claim. */
export const CHAPTER_EPOCHS = 30;

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const pts = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(2)} points`;

/** Formats a p-value for prose. */
export function formatP(p: number | null): string {
  if (p === null) return 'n/a';
  if (p < 1e-4) return p.toExponential(1);
  return p.toPrecision(2);
}

/** Runs paired by seed: the seeds both lists have, in order. */
function pairBySeed(a: readonly ModelRun[], b: readonly ModelRun[]): [ModelRun, ModelRun][] {
  return a.flatMap((ra) => {
    const rb = b.find((r) => r.seed === ra.seed);
    return rb ? [[ra, rb] as [ModelRun, ModelRun]] : [];
  });
}

/** The verdict from a two-sided p-value and the effect's sign, given whether the run was long enough to count. */
function decide(pValue: number, effect: number, adequate: boolean): { verdict: Verdict; why: string } {
  if (pValue < ALPHA && effect > 0) return { verdict: 'reproduced', why: `the difference is in the chapter's direction and significant (p = ${formatP(pValue)} < ${ALPHA})` };
  if (pValue < ALPHA) return { verdict: 'not reproduced', why: `the difference is significant but in the opposite direction (p = ${formatP(pValue)})` };
  if (adequate) return { verdict: 'not reproduced', why: `no significant difference at the chapter's protocol (p = ${formatP(pValue)} ≥ ${ALPHA})` };
  return { verdict: 'inconclusive', why: `the difference is not significant at this size (p = ${formatP(pValue)} ≥ ${ALPHA}); more epochs, images or seeds may show it` };
}

/** What every claim is given: who it is, and where. */
export interface ClaimIdentity {
  id: string;
  finding: string;
  statement: string;
  experiment: string;
}

/** The claim's identity fields, copied out of options that carry more. */
function identity(o: ClaimIdentity): ClaimIdentity {
  return { id: o.id, finding: o.finding, statement: o.statement, experiment: o.experiment };
}

/** The first sentence of the evidence: the verdict and why. */
function lead(verdict: Verdict, why: string): string {
  return `${verdict === 'reproduced' ? 'Reproduced' : verdict === 'not reproduced' ? 'Not reproduced' : 'Inconclusive'}: ${why}.`;
}

function unusable(o: ClaimIdentity, test: string, why: string): Claim {
  return { ...identity(o), verdict: 'inconclusive', pValue: null, effect: null, test, evidence: [why] };
}

/** Options of {@link accuracyClaim}. */
export interface AccuracyClaimOptions extends ClaimIdentity {
  /** The model the chapter says is better, one run per seed. */
  better: readonly ModelRun[];
  /** The model it is compared with. */
  worse: readonly ModelRun[];
  /** Whether the run is long enough for a null result to count against the claim. */
  adequate: boolean;
  /** When the run is too short for this claim at all: the reason (the verdict is then at most inconclusive, unless reproduced). */
  tooShort?: string;
}

/**
 * "A is more accurate than B": McNemar's exact test on the same test images, the discordant pairs of every seed
 * pooled (seed k of A against seed k of B), with the final and per-epoch accuracies as evidence.
 */
export function accuracyClaim(o: AccuracyClaimOptions): Claim {
  const test = "McNemar's exact test on the final predictions for the same test images (discordant pairs pooled over seeds)";
  const pairs = pairBySeed(o.better, o.worse);
  const a = o.better[0];
  const b = o.worse[0];
  if (!a || !b || pairs.length === 0) return unusable(o, test, 'the models it compares were not both trained in this run');
  let onlyA = 0;
  let onlyB = 0;
  for (const [ra, rb] of pairs) {
    if (ra.testCorrect.length !== rb.testCorrect.length) return unusable(o, test, `${ra.label} and ${rb.label} were tested on different images`);
    for (let i = 0; i < ra.testCorrect.length; i++) {
      const x = ra.testCorrect[i] === '1';
      const y = rb.testCorrect[i] === '1';
      if (x && !y) onlyA++;
      else if (y && !x) onlyB++;
    }
  }
  const accA = meanAndSpread(pairs.map(([ra]) => ra.finalAccuracy));
  const accB = meanAndSpread(pairs.map(([, rb]) => rb.finalAccuracy));
  const effect = accA.mean - accB.mean;
  const pValue = mcnemarExact(onlyA, onlyB);
  let { verdict, why } = decide(pValue, effect, o.adequate);
  if (o.tooShort && verdict !== 'reproduced') {
    verdict = 'inconclusive';
    why = `${o.tooShort} (${why})`;
  }
  const epochs = Math.min(...pairs.map(([ra, rb]) => Math.min(ra.records.length, rb.records.length)));
  const meanAt = (runs: ModelRun[], e: number) => runs.reduce((s, r) => s + (r.records[e]?.testScores.Accuracy ?? 0), 0) / runs.length;
  const runsA = pairs.map(([ra]) => ra);
  const runsB = pairs.map(([, rb]) => rb);
  let ahead = 0;
  for (let e = 0; e < epochs; e++) if (meanAt(runsA, e) > meanAt(runsB, e)) ahead++;
  const spread = (s: { std: number; n: number }) => (s.n > 1 ? ` ± ${(s.std * 100).toFixed(2)}` : '');
  const n = a.testCorrect.length;
  return {
    ...identity(o),
    verdict,
    pValue,
    effect: { measure: 'test accuracy difference (percentage points, mean over seeds)', value: Number((effect * 100).toFixed(3)), display: pts(effect) },
    test,
    evidence: [
      lead(verdict, why),
      `Final test accuracy: ${a.label} ${pct(accA.mean)}${spread(accA)}, ${b.label} ${pct(accB.mean)}${spread(accB)} (${pts(effect)}), ` +
        `${pairs.length} seed${pairs.length > 1 ? 's' : ''}, ${n.toLocaleString('en-US')} test images, ${epochs} epoch${epochs === 1 ? '' : 's'}.`,
      `On the same images, only ${a.label} was right ${onlyA.toLocaleString('en-US')} times and only ${b.label} ${onlyB.toLocaleString('en-US')} times.`,
      `Per epoch, ${a.label} was ahead in ${ahead} of ${epochs} epochs (mean over seeds).`,
    ],
  };
}

/** Options of {@link shiftStdClaim}. */
export interface ShiftStdClaimOptions extends ClaimIdentity {
  /** The anti-aliased model, one run per seed. */
  better: readonly ModelRun[];
  /** The plain model. */
  worse: readonly ModelRun[];
  adequate: boolean;
}

/**
 * "A's prediction moves less with shifts than B's": Wilcoxon's signed-rank test, paired on the test images, of
 * each image's std (over its 64 crops) of the correct-class probability, averaged over seeds. Both models must have
 * learned: a model that predicts one class everywhere is perfectly "stable" and says nothing.
 */
export function shiftStdClaim(o: ShiftStdClaimOptions): Claim {
  const test = "Wilcoxon's signed-rank test, paired on the test images, of each image's std over its 64 crops of P(correct class), averaged over seeds";
  const pairs = pairBySeed(o.better, o.worse);
  const a = o.better[0];
  const b = o.worse[0];
  if (!a?.shift || !b?.shift || pairs.length === 0) return unusable(o, test, 'the models it compares were not both measured in this run');
  const notLearned = [...o.better, ...o.worse].filter((r) => !r.learned.learned);
  if (notLearned.length > 0) {
    const names = [...new Set(notLearned.map((r) => `${r.label} (seed ${r.seed}: ${pct(r.learned.accuracy)})`))].join(', ');
    return unusable(o, test, `not every model learned (${names} not clearly above the ${pct(notLearned[0]?.learned.chance ?? 0)} of guessing), so its shift figures say nothing about stability`);
  }
  const n = a.shift.perImageStd.length;
  const average = (runs: ModelRun[]) => Array.from({ length: n }, (_, i) => runs.reduce((s, r) => s + (r.shift?.perImageStd[i] ?? 0), 0) / runs.length);
  const stdA = average(pairs.map(([ra]) => ra));
  const stdB = average(pairs.map(([, rb]) => rb));
  const w = wilcoxonSignedRank(stdA, stdB);
  const medA = median(stdA);
  const medB = median(stdB);
  // The claim's direction: A's stds lower, i.e. the negative differences A − B carry more rank.
  const direction = w.rMinus - w.rPlus;
  const { verdict, why } = decide(w.pValue, direction, o.adequate);
  const lower = stdA.filter((v, i) => v < (stdB[i] as number)).length;
  return {
    ...identity(o),
    verdict,
    pValue: w.pValue,
    effect: {
      measure: 'relative reduction of the median per-image std (positive: anti-aliased steadier)',
      value: Number((medB > 0 ? 1 - medA / medB : 0).toFixed(4)),
      display: `median std ${medB > 0 ? `${Math.abs((1 - medA / medB) * 100).toFixed(1)}% ${medA <= medB ? 'lower' : 'higher'}` : 'n/a'} (${medA.toFixed(4)} vs ${medB.toFixed(4)})`,
    },
    test,
    evidence: [
      lead(verdict, why),
      `Median over ${n.toLocaleString('en-US')} test images of the std of P(correct) over the 64 crops: ${a.label} ${medA.toFixed(4)}, ${b.label} ${medB.toFixed(4)}` +
        (pairs.length > 1 ? ` (each image's std averaged over ${pairs.length} seeds).` : '.'),
      `${a.label} was steadier on ${lower.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} images (Wilcoxon z = ${w.z.toFixed(2)}).`,
    ],
  };
}
