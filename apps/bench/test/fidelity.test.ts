import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { compareWithReference, fidelityPassed, formatFidelity, parseReference, type ReferenceRun } from '../src/fidelity';
import type { ModelSummary } from '../src/experiments/training';
import type { ModelRun } from '../src/experiments/types';
import type { Results } from '../src/report/results';

/** A model of a run: one seed, three epochs, the last with train loss 1.25. */
function model(key: string, finalAccuracy: number, medianStd?: number): ModelSummary {
  const epoch = (e: number, trainLoss: number) => ({ epoch: e, totalTime: 1, epochTime: 1, lr: 1e-3, trainLoss, testLoss: 1, trainScores: {}, testScores: {} });
  const r: ModelRun = {
    key,
    label: key,
    seed: 0,
    params: 1,
    finalAccuracy,
    imagesPerSecond: 1,
    records: [epoch(0, 2.5), epoch(1, 1.75), epoch(2, 1.25)],
    testCorrect: '',
    learned: { learned: true, accuracy: finalAccuracy, chance: 0.1, pValue: 0 },
    ...(medianStd === undefined ? {} : { shift: { metrics: { medianStd, agreement: 0.7, accuracyAllShifts: 0.5, consistency: 0.8, images: 200 }, perImageStd: [], imageProbabilities: [] } }),
  };
  return { key, label: key, params: 1, accuracy: { mean: finalAccuracy, std: 0 }, imagesPerSecond: 1, learned: true, runs: [r] };
}

function run(models: Partial<Record<'shift' | 'residual' | 'mixup', ModelSummary[]>>, data: Partial<NonNullable<Results['data']>> = {}): Results {
  const experiment = (ms: ModelSummary[]) => ({ title: '', description: '', dataset: 'CIFAR-10', plan: { epochs: 3, seeds: [0] }, models: ms, csv: '', figures: [], notes: [], seconds: 1 });
  return {
    tool: 'aa-bench',
    format: 2,
    startedAt: '',
    command: 'chapter',
    planned: Object.keys(models),
    environment: { node: '', tfjs: '', backend: 'cpu', backendProvider: '', platform: '', cpus: 2 },
    data: { source: 'x', embedded: false, trainSize: 1000, testSize: 200, ...data },
    experiments: Object.fromEntries(Object.entries(models).map(([k, ms]) => [k, experiment(ms)])),
    claims: [],
  };
}

/** A reference file as chapter14_reference.py writes it. */
function referenceJson(name: string, accuracies: number[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: name,
    train: 1000,
    test: 200,
    epochs: accuracies.length,
    batch: 128,
    history: accuracies.map((a, i) => ({ epoch: i, train_loss: 1.5 - 0.1 * i, test_acc: a })),
    ...extra,
  });
}

const ref = (name: string, accuracies: number[], extra?: Record<string, unknown>): ReferenceRun => parseReference(`${name}.json`, referenceJson(name, accuracies, extra));

describe('parseReference', () => {
  it('reads the last epoch accuracy and the shift figures', () => {
    const r = ref('aa', [0.3, 0.4, 0.536], { shift: { median_std_correct_prob: 0.0769, agreement_with_center: 0.75, accuracy_over_64_shifts: 0.52 } });
    expect(r).toMatchObject({ model: 'aa', train: 1000, test: 200, epochs: 3, finalAccuracy: 0.536, finalTrainLoss: 1.3, medianStd: 0.0769, agreement: 0.75, accuracyAllShifts: 0.52 });
    expect(ref('resnet', [0.5]).medianStd).toBeNull();
  });

  it.each([
    ['not json', /r\.json: not JSON/],
    ['[1]', /r\.json: not a chapter14_reference\.py result/],
    [JSON.stringify({ train: 1, test: 1, epochs: 1, history: [] }), /r\.json: 'model' must be a model name, got undefined/],
    [referenceJson('normal', [0.5, 0.6]).replace('"epochs":2', '"epochs":30'), /r\.json: 2 of 30 epochs recorded; the reference run did not finish/],
    [referenceJson('normal', [0.5, 1.5]), /r\.json: 'test_acc' must be a fraction in \[0, 1\] \(last epoch\), got 1\.5/],
  ])('rejects %s', (text, message) => {
    expect(() => parseReference('r.json', text)).toThrow(message);
  });
});

describe('compareWithReference', () => {
  const runs = [
    run({ shift: [model('plain', 0.5, 0.083), model('aa', 0.53, 0.079)], residual: [model('resnet', 0.49)] }),
    run({ mixup: [model('rezero_mixup', 0.6)] }, { trainSize: 500 }),
  ];

  it('computes differences in points, applies the tolerance and flags size mismatches and missing models', () => {
    const report = compareWithReference(
      runs,
      [ref('normal', [0.3, 0.4, 0.5225]), ref('aa', [0.4, 0.5, 0.536]), ref('resnet', [0.5, 0.505]), ref('rezero', [0.5]), ref('rezero_mixup', [0.2, 0.3, 0.6])],
      2,
    );
    const byName = Object.fromEntries(report.rows.map((r) => [r.reference, r]));
    // 50% - 52.25% = -2.25 points: outside ±2; 53% - 53.6% = -0.6: inside.
    expect(byName.normal).toMatchObject({ status: 'outside', difference: -2.25 });
    expect(byName.aa).toMatchObject({ status: 'ok', difference: -0.6 });
    // The reference ran 2 epochs, the run 3.
    expect(byName.resnet).toMatchObject({ status: 'mismatch', reason: 'epochs 3 vs 2' });
    expect(byName.rezero).toMatchObject({ status: 'missing', ours: null });
    expect(byName.rezero_mixup).toMatchObject({ status: 'mismatch', reason: 'train 500 vs 1000' });
    expect(report.shiftStd?.ours).toEqual({ plain: 0.083, aa: 0.079 });
    expect(fidelityPassed(report)).toBe(false);
  });

  it('passes when every model is within the tolerance and anti-aliasing lowers the shift std', () => {
    const shift = (m: number) => ({ shift: { median_std_correct_prob: m, agreement_with_center: 0.7, accuracy_over_64_shifts: 0.5 } });
    const refs = [ref('normal', [0.1, 0.2, 0.52], shift(0.08)), ref('aa', [0.1, 0.2, 0.54], shift(0.077))];
    const report = compareWithReference(runs, refs, 2.5);
    expect(report.rows.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(report.shiftStd?.pytorch).toEqual({ plain: 0.08, aa: 0.077 });
    expect(fidelityPassed(report)).toBe(true);
    const md = formatFidelity(report);
    // Train loss: ours is the last record's (1.25), the reference's its last epoch's (1.5 - 0.1 * 2).
    expect(md).toContain('| plain CNN | 1000 / 200 / 3 | 50.00% | 52.00% | -2.00 | yes | 1.2500 / 1.3000 |');
    expect(md).toContain('| anti-aliased CNN | 0.0790 / 0.0770 | 70.00% / 70.00% | 50.00% / 50.00% |');
    expect(md).toContain('- aa-bench: median shift std 0.0830 → 0.0790 with anti-aliasing (lower)');
    // A higher anti-aliased std fails the check even with accuracies in range.
    const worse = [run({ shift: [model('plain', 0.5, 0.07), model('aa', 0.53, 0.079)] })];
    expect(fidelityPassed(compareWithReference(worse, refs, 2.5))).toBe(false);
  });

  it('rejects a reference model with no counterpart and a bad tolerance', () => {
    expect(() => compareWithReference(runs, [ref('aa_fixed', [0.5])])).toThrow(/aa_fixed\.json: reference model 'aa_fixed' has no aa-bench counterpart; compare one of normal, aa, resnet, rezero, rezero_mixup/);
    expect(() => compareWithReference(runs, [], -1)).toThrow(/tolerance must be a non-negative number/);
  });
});

describe('aa-bench compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-fidelity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tsx = require.resolve('tsx/cli');
  const cli = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });

  it('prints the table, writes it with --md and exits non-zero when a model is outside the tolerance', () => {
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'results.json'), JSON.stringify(run({ residual: [model('resnet', 0.49), model('rezero', 0.53)] })));
    writeFileSync(join(dir, 'resnet.json'), referenceJson('resnet', [0.1, 0.2, 0.5145]));
    writeFileSync(join(dir, 'rezero.json'), referenceJson('rezero', [0.1, 0.2, 0.5305]));
    const md = join(dir, 'fidelity.md');
    const args = [join(dir, 'run'), '--reference', join(dir, 'resnet.json'), join(dir, 'rezero.json'), '--md', md];
    const strict = cli(['compare', ...args]);
    expect(strict.stdout).toContain('| ResNet (28 blocks) | 1000 / 200 / 3 | 49.00% | 51.45% | -2.45 | **no** | 1.2500 / 1.3000 |');
    expect(strict.stdout).toContain('| ReZero ResNet | 1000 / 200 / 3 | 53.00% | 53.05% | -0.05 | yes | 1.2500 / 1.3000 |');
    expect(strict.stderr).toMatch(/compare: not every model was compared and within the tolerance/);
    expect(strict.status).toBe(1);
    expect(readFileSync(md, 'utf8')).toBe(strict.stdout);
    const loose = cli(['compare', ...args, '--tolerance', '2.5']);
    expect(loose.status).toBe(0);
    const bad = cli(['compare', ...args, '--tolerance', 'two']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--tolerance must be a non-negative number of percentage points, got 'two'/);
  });
});
