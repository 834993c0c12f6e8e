import { accuracyClaim, shiftStdClaim } from '../src/claims/claims';
import { mcnemarExact, wilcoxonSignedRank } from '../src/claims/stats';
import type { ModelRun } from '../src/experiments/types';

/** A run whose per-image correctness and stds are given; accuracy and records follow from them. */
function run(label: string, seed: number, correct: boolean[], stds?: number[], learned = true): ModelRun {
  const acc = correct.filter(Boolean).length / correct.length;
  const record = (e: number) => ({ epoch: e, totalTime: e + 1, epochTime: 1, lr: 1e-3, trainLoss: 1, testLoss: 1, trainScores: {}, testScores: { Accuracy: acc - (1 - e) * 0.01 } });
  return {
    key: label,
    label,
    seed,
    params: 1,
    records: [record(0), record(1)],
    finalAccuracy: acc,
    imagesPerSecond: 1,
    testCorrect: correct.map((c) => (c ? '1' : '0')).join(''),
    learned: { learned, accuracy: acc, chance: 0.1, pValue: learned ? 1e-9 : 0.5 },
    ...(stds ? { shift: { metrics: { medianStd: 0, agreement: 0, accuracyAllShifts: 0, consistency: 0, images: stds.length }, perImageStd: stds, imageProbabilities: [] } } : {}),
  };
}

/** n images; `a` right on the first `both + onlyA`, `b` right on the first `both` and the `onlyB` after A's. */
function pair(n: number, both: number, onlyA: number, onlyB: number): [boolean[], boolean[]] {
  const a = Array.from({ length: n }, (_, i) => i < both + onlyA);
  const b = Array.from({ length: n }, (_, i) => i < both || (i >= both + onlyA && i < both + onlyA + onlyB));
  return [a, b];
}

describe('accuracyClaim', () => {
  const common = { id: 'x', finding: 'f', statement: 's', experiment: 'e', adequate: false };

  it('pools the discordant pairs of every seed into one McNemar test', () => {
    const [a0, b0] = pair(1000, 500, 60, 30);
    const [a1, b1] = pair(1000, 500, 50, 25);
    const c = accuracyClaim({ ...common, better: [run('A', 0, a0), run('A', 1, a1)], worse: [run('B', 0, b0), run('B', 1, b1)] });
    expect(c.pValue).toBeCloseTo(mcnemarExact(110, 55), 12);
    expect(c.verdict).toBe('reproduced');
    expect(c.effect?.value).toBeCloseTo(((0.56 + 0.55) / 2 - (0.53 + 0.525) / 2) * 100, 6);
    expect(c.evidence.join(' ')).toMatch(/only A was right 110 times and only B 55 times/);
  });

  it('significant in the other direction: not reproduced; not significant and short: inconclusive', () => {
    const [a, b] = pair(1000, 500, 30, 90);
    expect(accuracyClaim({ ...common, better: [run('A', 0, a)], worse: [run('B', 0, b)] }).verdict).toBe('not reproduced');
    const [c, d] = pair(1000, 500, 40, 35);
    expect(accuracyClaim({ ...common, better: [run('A', 0, c)], worse: [run('B', 0, d)] }).verdict).toBe('inconclusive');
    expect(accuracyClaim({ ...common, adequate: true, better: [run('A', 0, c)], worse: [run('B', 0, d)] }).verdict).toBe('not reproduced');
  });

  it('a run too short for the claim is at most inconclusive, unless it reproduces it anyway', () => {
    const [a, b] = pair(1000, 500, 30, 90);
    const short = accuracyClaim({ ...common, better: [run('A', 0, a)], worse: [run('B', 0, b)], tooShort: 'too short: 3 epochs' });
    expect(short.verdict).toBe('inconclusive');
    expect(short.evidence[0]).toMatch(/too short: 3 epochs/);
    const [c, d] = pair(1000, 500, 90, 30);
    expect(accuracyClaim({ ...common, better: [run('A', 0, c)], worse: [run('B', 0, d)], tooShort: 'too short' }).verdict).toBe('reproduced');
  });

  it('without both models it cannot be tested', () => {
    const c = accuracyClaim({ ...common, better: [], worse: [] });
    expect([c.verdict, c.pValue]).toEqual(['inconclusive', null]);
  });
});

describe('shiftStdClaim', () => {
  const common = { id: 'y', finding: 'f', statement: 's', experiment: 'e', adequate: false };
  const n = 400;
  const correct = Array.from({ length: n }, (_, i) => i % 2 === 0);
  const plainStd = Array.from({ length: n }, (_, i) => 0.1 + ((i * 37) % 100) / 1000);

  it('averages the per-image stds over seeds and runs Wilcoxon on the images', () => {
    const aa0 = plainStd.map((v, i) => v - 0.01 + ((i * 13) % 7) / 1000);
    const aa1 = plainStd.map((v, i) => v - 0.008 + ((i * 11) % 5) / 1000);
    const c = shiftStdClaim({ ...common, better: [run('aa', 0, correct, aa0), run('aa', 1, correct, aa1)], worse: [run('plain', 0, correct, plainStd), run('plain', 1, correct, plainStd)] });
    const mean = aa0.map((v, i) => (v + (aa1[i] as number)) / 2);
    expect(c.pValue).toBeCloseTo(wilcoxonSignedRank(mean, plainStd).pValue, 12);
    expect(c.verdict).toBe('reproduced');
    expect(c.effect?.value).toBeGreaterThan(0);
  });

  it('a model that did not learn makes the claim untestable, whatever its stds', () => {
    const c = shiftStdClaim({ ...common, better: [run('aa', 0, correct, plainStd.map((v) => v / 10), false)], worse: [run('plain', 0, correct, plainStd)] });
    expect([c.verdict, c.pValue]).toEqual(['inconclusive', null]);
    expect(c.evidence[0]).toMatch(/not every model learned \(aa \(seed 0/);
  });
});
