import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EXPERIMENTS } from '../src/experiments';
import { compareWithReference, fidelityPassed, formatFidelity, parseReference, REFERENCE_MODELS, type FidelityReport, type FidelityRow, type ReferenceRun } from '../src/fidelity';
import type { ModelSummary } from '../src/experiments/training';
import type { ModelRun } from '../src/experiments/types';
import type { Results } from '../src/report/results';

/** One seed's run of a model: three epochs, the last with train loss 1.25. */
function seedRun(key: string, seed: number, finalAccuracy: number, medianStd?: number, classes = 10): ModelRun {
  const epoch = (e: number, trainLoss: number) => ({ epoch: e, totalTime: 1, epochTime: 1, lr: 1e-3, trainLoss, testLoss: 1, trainScores: {}, testScores: {} });
  const r: ModelRun = {
    key,
    label: key,
    seed,
    params: 1,
    finalAccuracy,
    imagesPerSecond: 1,
    records: [epoch(0, 2.5), epoch(1, 1.75), epoch(2, 1.25)],
    testCorrect: '',
    learned: { learned: true, accuracy: finalAccuracy, chance: 1 / classes, pValue: 0 },
    ...(medianStd === undefined ? {} : { shift: { metrics: { medianStd, agreement: 0.7, accuracyAllShifts: 0.5, consistency: 0.8, images: 200 }, perImageStd: [], imageProbabilities: [] } }),
  };
  return r;
}

/** A model of a run with one run per accuracy, seeds 0, 1, ... (or `seeds`). */
function models(key: string, accuracies: number[], o: { seeds?: number[]; medianStd?: number; classes?: number } = {}): ModelSummary {
  const runs = accuracies.map((a, i) => seedRun(key, o.seeds?.[i] ?? i, a, o.medianStd, o.classes));
  return { key, label: key, params: 1, accuracy: { mean: accuracies[0] ?? 0, std: 0 }, imagesPerSecond: 1, learned: true, runs };
}

/** A model of a run: one seed (0). */
function model(key: string, finalAccuracy: number, medianStd?: number): ModelSummary {
  return models(key, [finalAccuracy], { medianStd });
}

function run(
  experiments: Partial<Record<'shift' | 'residual' | 'mixup' | 'exercise3', ModelSummary[]>>,
  data: Partial<NonNullable<Results['data']>> = {},
  seed?: number,
): Results {
  const experiment = (ms: ModelSummary[]) => ({ title: '', description: '', dataset: 'CIFAR-10', plan: { epochs: 3, seeds: [0] }, models: ms, csv: '', figures: [], notes: [], seconds: 1 });
  return {
    tool: 'aa-bench',
    format: 2,
    startedAt: '',
    command: 'chapter',
    planned: Object.keys(experiments),
    environment: { node: '', tfjs: '', backend: 'cpu', backendProvider: '', platform: '', cpus: 2 },
    ...(seed === undefined ? {} : { settings: { preset: 'quick', trainSize: 1000, testSize: 200, batchSize: 128, seed, sizing: [], plans: {} } }),
    data: { source: 'x', embedded: false, trainSize: 1000, testSize: 200, ...data },
    experiments: Object.fromEntries(Object.entries(experiments).map(([k, ms]) => [k, experiment(ms)])),
    claims: [],
  };
}

/** A reference file as torch_peers.py writes it (chapter14_reference.py: the same without seed, data_seed, classes). */
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
/** One reference per seed with these final accuracies (3 epochs each). */
const seeded = (name: string, finals: number[], extra: Record<string, unknown> = {}) => finals.map((a, seed) => ref(name, [0.1, 0.2, a], { seed, data_seed: 0, ...extra }));
const byRow = (report: FidelityReport) => Object.fromEntries(report.rows.map((r) => [`${r.reference}:${r.experiment}`, r]));

interface WelchCase {
  name: string;
  a: number[];
  b: number[];
  difference: number;
  low: number;
  high: number;
  df: number;
}
/** scipy's Welch intervals (scripts/welch-fixtures.py), in points. */
const welch = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'welch.json'), 'utf8')) as { intervals: WelchCase[] }).intervals;

describe('parseReference', () => {
  it('reads the last epoch accuracy, the seeds, the classes and the shift figures', () => {
    const r = ref('aa', [0.3, 0.4, 0.536], { seed: 2, data_seed: 0, classes: 10, shift: { median_std_correct_prob: 0.0769, agreement_with_center: 0.75, accuracy_over_64_shifts: 0.52, consistency: 0.81 } });
    expect(r).toMatchObject({ model: 'aa', train: 1000, test: 200, epochs: 3, seed: 2, dataSeed: 0, classes: 10, finalAccuracy: 0.536, finalTrainLoss: 1.3, medianStd: 0.0769, agreement: 0.75, accuracyAllShifts: 0.52, consistency: 0.81 });
    // chapter14_reference.py records no seed, data seed or classes.
    expect(ref('resnet', [0.5])).toMatchObject({ medianStd: null, seed: null, dataSeed: null, classes: null, consistency: null });
  });

  it.each([
    ['not json', /r\.json: not JSON/],
    ['[1]', /r\.json: not a torch_peers\.py or chapter14_reference\.py result/],
    [JSON.stringify({ train: 1, test: 1, epochs: 1, history: [] }), /r\.json: 'model' must be a model name, got undefined/],
    [referenceJson('normal', [0.5, 0.6]).replace('"epochs":2', '"epochs":30'), /r\.json: 2 of 30 epochs recorded; the reference run did not finish/],
    [referenceJson('normal', [0.5, 1.5]), /r\.json: 'test_acc' must be a fraction in \[0, 1\] \(last epoch\), got 1\.5/],
  ])('rejects %s', (text, message) => {
    expect(() => parseReference('r.json', text)).toThrow(message);
  });
});

describe('REFERENCE_MODELS', () => {
  it('has a peer for every model of every training experiment, and the shift models are the shift-protocol ones', () => {
    const peers = Object.values(REFERENCE_MODELS).flat();
    for (const e of EXPERIMENTS.filter((x) => x.trains)) {
      for (const spec of e.models()) {
        const mine = peers.filter((p) => p.experiment === e.key && p.key === spec.key);
        expect([`${e.key}/${spec.key}`, mine.length > 0]).toEqual([`${e.key}/${spec.key}`, true]);
        for (const p of mine) expect([`${e.key}/${spec.key}`, p.shift === true]).toEqual([`${e.key}/${spec.key}`, spec.shift === true]);
      }
    }
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
    const rows = byRow(report);
    // 50% - 52.25% = -2.25 points: outside ±2; 53% - 53.6% = -0.6: inside. One seed a side: no interval.
    expect(rows['normal:shift']).toMatchObject({ status: 'outside', difference: -2.25, interval: null, seeds: { ours: [0], pytorch: [null] } });
    // The plain CNN's peer is the residual experiment's too; no run has that one, and shift/plain stands for it.
    expect(rows['normal:residual']).toBeUndefined();
    expect(rows['aa:shift']).toMatchObject({ status: 'ok', difference: -0.6 });
    // The reference ran 2 epochs, the run 3.
    expect(rows['resnet:residual']).toMatchObject({ status: 'mismatch', reason: 'epochs 3 vs 2' });
    expect(rows['rezero:residual']).toMatchObject({ status: 'missing', ours: null });
    expect(rows['rezero_mixup:mixup']).toMatchObject({ status: 'mismatch', reason: 'train 500 vs 1000' });
    expect(report.shiftStd?.ours).toEqual({ plain: 0.083, aa: 0.079 });
    expect(fidelityPassed(report)).toBe(false);
  });

  it('lists a peer of several bench models as missing once per model only when no run has any of them', () => {
    const report = compareWithReference([run({ residual: [model('resnet', 0.5)] })], [ref('normal', [0.1, 0.2, 0.52])]);
    expect(report.rows.map((r) => `${r.reference}:${r.experiment}/${r.key}:${r.status}`)).toEqual(['normal:shift/plain:missing', 'normal:residual/cnn:missing']);
    expect(fidelityPassed(report)).toBe(false);
    // With the shift run alone the plain CNN is compared there, and the comparison can pass.
    const shiftOnly = compareWithReference([run({ shift: [model('plain', 0.51)] })], [ref('normal', [0.1, 0.2, 0.52])]);
    expect(shiftOnly.rows.map((r) => `${r.reference}:${r.experiment}/${r.key}:${r.status}`)).toEqual(['normal:shift/plain:ok']);
    expect(fidelityPassed(shiftOnly)).toBe(true);
  });

  it('passes when every model is within the tolerance and anti-aliasing lowers the shift std', () => {
    const shift = (m: number) => ({ shift: { median_std_correct_prob: m, agreement_with_center: 0.7, accuracy_over_64_shifts: 0.5 } });
    const refs = [ref('normal', [0.1, 0.2, 0.52], shift(0.08)), ref('aa', [0.1, 0.2, 0.54], shift(0.077))];
    const shiftOnly = [run({ shift: [model('plain', 0.5, 0.083), model('aa', 0.53, 0.079)], residual: [model('cnn', 0.51)] })];
    const report = compareWithReference(shiftOnly, refs, 2.5);
    expect(report.rows.map((r) => `${r.reference}:${r.key}:${r.status}`)).toEqual(['normal:plain:ok', 'normal:cnn:ok', 'aa:aa:ok']);
    expect(report.shiftStd?.pytorch).toEqual({ plain: 0.08, aa: 0.077 });
    expect(fidelityPassed(report)).toBe(true);
    const md = formatFidelity(report);
    // Train loss: ours is the last record's (1.25), the reference's its last epoch's (1.5 - 0.1 * 2).
    expect(md).toContain('| plain CNN | 1000 / 200 / 3 | 1 / 1 | 50.00% | 52.00% | -2.00 | – | yes | 1.2500 / 1.3000 |');
    expect(md).toContain('| plain CNN (residual) | 1000 / 200 / 3 | 1 / 1 | 51.00% | 52.00% | -1.00 | – | yes | 1.2500 / 1.3000 |');
    expect(md).toContain("Welch's t 95% confidence interval");
    // Only the shift experiment's models have shift figures; the reference files here have no consistency.
    expect(md).toContain('| anti-aliased CNN | 0.0790 / 0.0770 | 70.00% / 70.00% | 50.00% / 50.00% | 80.00% / – |');
    expect(md).not.toContain('| plain CNN (residual) | 0.');
    expect(md).toContain('- aa-bench: median shift std 0.0830 → 0.0790 with anti-aliasing (lower)');
    // A higher anti-aliased std fails the check even with accuracies in range.
    const worse = [run({ shift: [model('plain', 0.5, 0.07), model('aa', 0.53, 0.079)] })];
    expect(fidelityPassed(compareWithReference(worse, refs, 2.5))).toBe(false);
  });

  it.each(welch.map((c) => [c.name, c] as const))("puts scipy's Welch interval on the difference of mean accuracies over seeds (%s)", (_, c) => {
    const report = compareWithReference([run({ residual: [models('rezero', c.a.map((v) => v / 100))] }, {}, 0)], seeded('rezero', c.b.map((v) => v / 100)), 10);
    const row = report.rows[0] as FidelityRow;
    expect(row.seeds).toEqual({ ours: c.a.map((_, i) => i), pytorch: c.b.map((_, i) => i) });
    expect(row.difference).toBeCloseTo(c.difference, 3);
    expect(row.interval?.low).toBeCloseTo(c.low, 3);
    expect(row.interval?.high).toBeCloseTo(c.high, 3);
    expect(row.interval?.df).toBeCloseTo(c.df, 6);
    expect(row.ours).toBeCloseTo(c.a.reduce((s, v) => s + v, 0) / c.a.length / 100, 12);
    const [low, high] = [c.low, c.high].map((v) => `${v > 0 ? '+' : ''}${v.toFixed(2)}`);
    expect(formatFidelity(report)).toContain(`| ${c.a.length} / ${c.b.length} |`);
    expect(formatFidelity(report)).toContain(`| [${low}, ${high}] |`);
  });

  it('takes every seed of a model across run folders (a seed in several: the last folder) and of the references (a seed twice: the later file)', () => {
    const runsBySeed = [
      run({ residual: [models('resnet', [0.5, 0.6], { seeds: [0, 1] })] }, {}, 0),
      run({ residual: [models('resnet', [0.7, 0.8], { seeds: [1, 2] })] }, {}, 0),
    ];
    const refs = [...seeded('resnet', [0.55, 0.65]), ref('resnet', [0.1, 0.2, 0.75], { seed: 1, data_seed: 0 })];
    const row = compareWithReference(runsBySeed, refs).rows[0] as FidelityRow;
    expect(row.seeds).toEqual({ ours: [0, 1, 2], pytorch: [0, 1] });
    expect(row.accuracies).toEqual({ ours: [0.5, 0.7, 0.8], pytorch: [0.55, 0.75] });
    expect(row.difference).toBeCloseTo((2 / 3 - 0.65) * 100, 3);
  });

  it('flags a run on other subsets, another data set, or references that disagree on sizes', () => {
    const otherSubsets = compareWithReference([run({ residual: [model('resnet', 0.5)] }, {}, 3)], seeded('resnet', [0.5])).rows[0];
    expect(otherSubsets).toMatchObject({ status: 'mismatch', reason: 'subsets of seed 3 vs 0' });
    const cifar100 = compareWithReference([run({ exercise3: [models('dense_plain', [0.2], { classes: 100 })] }, {}, 0)], seeded('dense_plain', [0.2], { classes: 10 })).rows[0];
    expect(cifar100).toMatchObject({ status: 'mismatch', reason: '100 classes vs 10' });
    expect(() => compareWithReference([], [ref('resnet', [0.5]), ref('resnet', [0.5, 0.6])])).toThrow(
      /the references of 'resnet' disagree: resnet\.json has 1000 \/ 200 \/ 1 epochs, 10 classes, resnet\.json 1000 \/ 200 \/ 2 epochs, 10 classes/,
    );
  });

  it('rejects a reference model with no counterpart and a bad tolerance', () => {
    expect(() => compareWithReference(runs, [ref('vgg', [0.5])])).toThrow(/vgg\.json: reference model 'vgg' has no aa-bench counterpart; compare one of normal, aa, aa_fixed, resnet, rezero, rezero_mixup, strided, /);
    expect(() => compareWithReference(runs, [], -1)).toThrow(/tolerance must be a non-negative number/);
  });
});

describe('aa-bench compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-fidelity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tsx = require.resolve('tsx/cli');
  const cli = (args: string[]) => spawnSync(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: join(__dirname, '..'), encoding: 'utf8' });

  it('prints the table, writes it with --md, reads a folder of references and exits non-zero when a model is outside the tolerance', () => {
    mkdirSync(join(dir, 'run'));
    writeFileSync(join(dir, 'run', 'results.json'), JSON.stringify(run({ residual: [model('resnet', 0.49), models('rezero', [0.53, 0.54, 0.52])] }, {}, 0)));
    mkdirSync(join(dir, 'refs'));
    writeFileSync(join(dir, 'refs', 'resnet.json'), referenceJson('resnet', [0.1, 0.2, 0.5145]));
    seeded('rezero', [0.5305, 0.5205, 0.5405]).forEach((_, seed) =>
      writeFileSync(join(dir, 'refs', `rezero-seed${seed}.json`), referenceJson('rezero', [0.1, 0.2, [0.5305, 0.5205, 0.5405][seed] as number], { seed, data_seed: 0 })),
    );
    writeFileSync(join(dir, 'refs', 'notes.txt'), 'not a reference');
    const md = join(dir, 'fidelity.md');
    const args = [join(dir, 'run'), '--reference', join(dir, 'refs'), '--md', md];
    const strict = cli(['compare', ...args]);
    expect(strict.stdout).toContain('| ResNet (28 blocks) | 1000 / 200 / 3 | 1 / 1 | 49.00% | 51.45% | -2.45 | – | **no** | 1.2500 / 1.3000 |');
    // Both sides: mean 53.00% / 53.05%, sample std 1 point; Welch: se = sqrt(2/3), df = 4, t(0.975, 4) = 2.776445.
    const half = 2.7764451051977987 * Math.sqrt(2 / 3);
    expect(strict.stdout).toContain(`| ReZero ResNet | 1000 / 200 / 3 | 3 / 3 | 53.00% | 53.05% | -0.05 | [${(-0.05 - half).toFixed(2)}, +${(-0.05 + half).toFixed(2)}] | yes | 1.2500 / 1.3000 |`);
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
