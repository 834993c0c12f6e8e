import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { TrainingRecord } from './experiments/training';
import type { ModelRun } from './experiments/types';
import type { Results } from './report/results';
import { welchInterval } from './welch';

/**
 * Fidelity check: the final test accuracies (and shift figures) of aa-bench runs next to those of PyTorch peers
 * (`scripts/torch_peers.py`, or the chapter's `chapter14_reference.py`: one JSON file per model and seed), on the
 * same sizes and epochs. With several seeds a side it compares the means, with Welch's t interval on the difference.
 */

/** What a PyTorch reference file holds (only the fields this comparison reads). */
export interface ReferenceRun {
  /** The file it came from. */
  file: string;
  /** Reference model name, a key of {@link REFERENCE_MODELS} (`normal`, `aa`, ..., `manifold_100`). */
  model: string;
  train: number;
  test: number;
  epochs: number;
  /** Training seed; null when the file does not say (chapter14_reference.py does not record it). */
  seed: number | null;
  /** The seed that picked the train/test subsets (aa-bench's `--seed`); null when not recorded. */
  dataSeed: number | null;
  /** Number of classes of the data set it trained on; null when not recorded (then CIFAR-10's 10). */
  classes: number | null;
  finalAccuracy: number;
  /** Mean training loss of the last epoch (null if the file lacks it). */
  finalTrainLoss: number | null;
  medianStd: number | null;
  agreement: number | null;
  accuracyAllShifts: number | null;
  consistency: number | null;
}

/** An aa-bench model: experiment and model key, and the name the table gives it. */
export interface BenchModel {
  experiment: string;
  key: string;
  label: string;
  /** A shift-protocol model: exercise 1's figures are compared too. */
  shift?: boolean;
}

/**
 * The aa-bench model(s) each reference model is the peer of. `normal` is both the shift experiment's plain CNN and the
 * residual experiment's; `aa` is the chapter's code (its blur filter is `binom.pmf(range(3), 3)`), `aa_fixed` the
 * normalised binomial filter that aa-bench's `MaxBlurPool2D` uses: both are compared with the anti-aliased CNN.
 */
export const REFERENCE_MODELS: Readonly<Record<string, readonly BenchModel[]>> = {
  normal: [
    { experiment: 'shift', key: 'plain', label: 'plain CNN', shift: true },
    { experiment: 'residual', key: 'cnn', label: 'plain CNN (residual)' },
  ],
  aa: [{ experiment: 'shift', key: 'aa', label: 'anti-aliased CNN', shift: true }],
  aa_fixed: [{ experiment: 'shift', key: 'aa', label: 'anti-aliased CNN (normalised filter)', shift: true }],
  resnet: [{ experiment: 'residual', key: 'resnet', label: 'ResNet (28 blocks)' }],
  rezero: [{ experiment: 'residual', key: 'rezero', label: 'ReZero ResNet' }],
  rezero_mixup: [{ experiment: 'mixup', key: 'rezero_mixup', label: 'ReZero ResNet + MixUp' }],
  strided: [{ experiment: 'exercise2', key: 'strided', label: 'ex. 2: strided convolutions', shift: true }],
  aa_strided: [{ experiment: 'exercise2', key: 'aa_strided', label: 'ex. 2: anti-aliased strided convolutions', shift: true }],
  avg: [{ experiment: 'exercise2', key: 'avg', label: 'ex. 2: average pooling', shift: true }],
  blurpool: [{ experiment: 'exercise2', key: 'blurpool', label: 'ex. 2: blur pooling', shift: true }],
  bottleneck_plain: [{ experiment: 'exercise3', key: 'bottleneck_plain', label: 'ex. 3: bottleneck, plain' }],
  bottleneck_rezero: [{ experiment: 'exercise3', key: 'bottleneck_rezero', label: 'ex. 3: bottleneck, ReZero' }],
  dense_plain: [{ experiment: 'exercise3', key: 'dense_plain', label: 'ex. 3: fully connected, plain' }],
  dense_rezero: [{ experiment: 'exercise3', key: 'dense_rezero', label: 'ex. 3: fully connected, ReZero' }],
  deep_plain: [{ experiment: 'exercise4', key: 'deep_plain', label: 'ex. 4: ResNet, 18 blocks/stage' }],
  deep_rezero: [{ experiment: 'exercise4', key: 'deep_rezero', label: 'ex. 4: ReZero, 18 blocks/stage' }],
  rezero_aa: [{ experiment: 'exercise5', key: 'rezero_aa', label: 'ex. 5: ReZero, anti-aliased strides' }],
  manifold_10: [{ experiment: 'exercise6', key: 'manifold_10', label: 'ex. 6: ReZero + Manifold MixUp (CIFAR-10)' }],
  manifold_100: [{ experiment: 'exercise6', key: 'manifold_100', label: 'ex. 6: ReZero + Manifold MixUp (CIFAR-100)' }],
};

function field(file: string, obj: Record<string, unknown>, name: string, check: (v: unknown) => boolean, what: string): unknown {
  const v = obj[name];
  if (!check(v)) throw new Error(`${file}: '${name}' must be ${what}, got ${JSON.stringify(v)}.`);
  return v;
}

const isCount = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isFraction = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
const optionalInt = (o: Record<string, unknown>, name: string) => (Number.isInteger(o[name]) ? (o[name] as number) : null);

/** Parses one reference JSON file; a run that did not finish, or a file of another kind, is a clear error. */
export function parseReference(file: string, text: string): ReferenceRun {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: not a torch_peers.py or chapter14_reference.py result (expected a JSON object).`);
  const o = raw as Record<string, unknown>;
  const model = field(file, o, 'model', (v) => typeof v === 'string' && v.length > 0, 'a model name') as string;
  const train = field(file, o, 'train', isCount, 'a positive integer') as number;
  const test = field(file, o, 'test', isCount, 'a positive integer') as number;
  const epochs = field(file, o, 'epochs', isCount, 'a positive integer') as number;
  const history = field(file, o, 'history', Array.isArray, 'the list of epoch records') as Record<string, unknown>[];
  if (history.length !== epochs) {
    throw new Error(`${file}: ${history.length} of ${epochs} epochs recorded; the reference run did not finish.`);
  }
  const last = history[history.length - 1] ?? {};
  const finalAccuracy = field(file, last, 'test_acc', isFraction, 'a fraction in [0, 1] (last epoch)') as number;
  const finalTrainLoss = typeof last.train_loss === 'number' && Number.isFinite(last.train_loss) ? last.train_loss : null;
  const shift = o.shift && typeof o.shift === 'object' ? (o.shift as Record<string, unknown>) : null;
  const num = (name: string) => (shift && typeof shift[name] === 'number' ? (shift[name] as number) : null);
  return {
    file,
    model,
    train,
    test,
    epochs,
    seed: optionalInt(o, 'seed'),
    dataSeed: optionalInt(o, 'data_seed'),
    classes: optionalInt(o, 'classes'),
    finalAccuracy,
    finalTrainLoss,
    medianStd: num('median_std_correct_prob'),
    agreement: num('agreement_with_center'),
    accuracyAllShifts: num('accuracy_over_64_shifts'),
    consistency: num('consistency'),
  };
}

/** Reads and parses a reference file. */
export function readReference(file: string): ReferenceRun {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read reference ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseReference(file, text);
}

/** Reads reference files; a folder stands for every `*.json` file in it (in name order), so a campaign's folder can be given whole. */
export function readReferences(paths: readonly string[]): ReferenceRun[] {
  const files = paths.flatMap((p) => {
    let folder = false;
    try {
      folder = statSync(p).isDirectory();
    } catch {
      // readReference names the file it cannot read.
    }
    if (!folder) return [p];
    const inside = readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => join(p, f));
    if (inside.length === 0) throw new Error(`--reference ${p}: a folder with no .json files.`);
    return inside;
  });
  return files.map(readReference);
}

/** Shift figures of one side: means over its seeds (null where a side has none). */
export interface ShiftFigures {
  medianStd: number | null;
  agreement: number | null;
  accuracyAllShifts: number | null;
  consistency: number | null;
}

/**
 * One compared model. Accuracies are fractions (means over seeds); `difference` and `interval` are in percentage
 * points (ours − PyTorch).
 */
export interface FidelityRow {
  reference: string;
  experiment: string;
  key: string;
  label: string;
  /** Seeds compared on each side (PyTorch: null for a file that does not record its seed). */
  seeds: { ours: number[]; pytorch: (number | null)[] };
  /** Final test accuracy per seed, each side, in the order of `seeds`. */
  accuracies: { ours: number[]; pytorch: number[] };
  ours: number | null;
  pytorch: number;
  difference: number | null;
  /** Welch's 95% t interval of the difference of mean accuracies, in points; null with fewer than 2 seeds on a side. */
  interval: { low: number; high: number; df: number } | null;
  /** Mean training loss of the last epoch, each side (mean over seeds): less noisy than a test accuracy, it shows whether training itself matches. */
  trainLoss: { ours: number | null; pytorch: number | null };
  /** `ok` within the tolerance, `outside` beyond it, `mismatch` when sizes, epochs or data differ, `missing` when no run has the model. */
  status: 'ok' | 'outside' | 'mismatch' | 'missing';
  /** Why a row is `mismatch` or `missing`. */
  reason?: string;
  /** Training images, test images and epochs both sides used (from the references). */
  sizes: { train: number; test: number; epochs: number };
  /** Shift-protocol models: exercise 1's figures, each side. */
  shift?: { ours: ShiftFigures | undefined; pytorch: ShiftFigures };
}

/** The comparison of runs with references. */
export interface FidelityReport {
  tolerance: number;
  rows: FidelityRow[];
  /** Median shift std of the plain and anti-aliased CNNs, each side, when both are present. */
  shiftStd?: { ours?: { plain: number; aa: number }; pytorch?: { plain: number; aa: number } };
}

/** One seed of an aa-bench model and the run (folder) it came from. */
interface FoundRun {
  run: Results;
  model: ModelRun;
}

/** Every seed of the model across `runs`; a seed found in several runs is taken from the last (a re-run listed later replaces it). */
function findSeeds(runs: readonly Results[], experiment: string, key: string): FoundRun[] {
  const bySeed = new Map<number, FoundRun>();
  for (const run of runs) {
    for (const model of (run.experiments[experiment] as TrainingRecord | undefined)?.models.find((m) => m.key === key)?.runs ?? []) {
      bySeed.set(model.seed, { run, model });
    }
  }
  return [...bySeed.values()].sort((a, b) => a.model.seed - b.model.seed);
}

/** The references of one model; a seed given twice is taken from the later file. They must share sizes. */
function groupReferences(references: readonly ReferenceRun[]): Map<string, ReferenceRun[]> {
  const groups = new Map<string, ReferenceRun[]>();
  for (const ref of references) {
    if (!REFERENCE_MODELS[ref.model]) {
      throw new Error(`${ref.file}: reference model '${ref.model}' has no aa-bench counterpart; compare one of ${Object.keys(REFERENCE_MODELS).join(', ')}.`);
    }
    const group = groups.get(ref.model) ?? [];
    const same = ref.seed === null ? -1 : group.findIndex((r) => r.seed === ref.seed);
    if (same >= 0) group.splice(same, 1);
    group.push(ref);
    groups.set(ref.model, group);
  }
  for (const [model, group] of groups) {
    const first = group[0] as ReferenceRun;
    const other = group.find((r) => r.train !== first.train || r.test !== first.test || r.epochs !== first.epochs || (r.classes ?? 10) !== (first.classes ?? 10));
    if (other) {
      const size = (r: ReferenceRun) => `${r.train} / ${r.test} / ${r.epochs} epochs, ${r.classes ?? 10} classes`;
      throw new Error(`the references of '${model}' disagree: ${first.file} has ${size(first)}, ${other.file} ${size(other)}; compare one size at a time.`);
    }
  }
  return groups;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
/** Mean of the values that are present; null when none is. */
const meanOf = (values: readonly (number | null | undefined)[]) => {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return present.length ? mean(present) : null;
};
const points = (fraction: number) => Math.round(fraction * 1e6) / 1e4;

/** CIFAR-10's and CIFAR-100's full splits: smaller sizes are subsets, picked by the run's seed. */
const FULL_SPLITS = { train: 50_000, test: 10_000 };

/** Why one aa-bench seed cannot be compared with the references, if it cannot. */
function mismatchesOf(found: FoundRun, ref: ReferenceRun): string[] {
  const out: string[] = [];
  const data = found.run.data;
  if (!data) return ['the run records no data sizes'];
  if (data.embedded) out.push('the run used the embedded subset');
  if (data.trainSize !== ref.train) out.push(`train ${data.trainSize} vs ${ref.train}`);
  if (data.testSize !== ref.test) out.push(`test ${data.testSize} vs ${ref.test}`);
  if (found.model.records.length !== ref.epochs) out.push(`epochs ${found.model.records.length} vs ${ref.epochs}`);
  const classes = Math.round(1 / found.model.learned.chance);
  if (classes !== (ref.classes ?? 10)) out.push(`${classes} classes vs ${ref.classes ?? 10}`);
  const subsets = ref.train < FULL_SPLITS.train || ref.test < FULL_SPLITS.test;
  const dataSeed = found.run.settings?.seed;
  if (subsets && ref.dataSeed !== null && dataSeed !== undefined && dataSeed !== ref.dataSeed) out.push(`subsets of seed ${dataSeed} vs ${ref.dataSeed}`);
  return out;
}

function shiftOf(runs: readonly FoundRun[]): ShiftFigures | undefined {
  const metrics = runs.map((r) => r.model.shift?.metrics).filter((m) => m !== undefined);
  if (metrics.length === 0) return undefined;
  return {
    medianStd: meanOf(metrics.map((m) => m.medianStd)),
    agreement: meanOf(metrics.map((m) => m.agreement)),
    accuracyAllShifts: meanOf(metrics.map((m) => m.accuracyAllShifts)),
    consistency: meanOf(metrics.map((m) => m.consistency)),
  };
}

/** One row: every seed of `target` in `runs` against every reference file of `refs` (one model). */
function compareModel(runs: readonly Results[], name: string, refs: readonly ReferenceRun[], target: BenchModel, tolerance: number): FidelityRow {
  const first = refs[0] as ReferenceRun;
  const pytorchAcc = refs.map((r) => r.finalAccuracy);
  const base = {
    reference: name,
    experiment: target.experiment,
    key: target.key,
    label: target.label,
    pytorch: mean(pytorchAcc),
    sizes: { train: first.train, test: first.test, epochs: first.epochs },
  };
  const found = findSeeds(runs, target.experiment, target.key);
  const shift = target.shift
    ? {
        ours: shiftOf(found),
        pytorch: {
          medianStd: meanOf(refs.map((r) => r.medianStd)),
          agreement: meanOf(refs.map((r) => r.agreement)),
          accuracyAllShifts: meanOf(refs.map((r) => r.accuracyAllShifts)),
          consistency: meanOf(refs.map((r) => r.consistency)),
        },
      }
    : undefined;
  const oursAcc = found.map((f) => f.model.finalAccuracy);
  const lastLoss = (f: FoundRun) => f.model.records[f.model.records.length - 1]?.trainLoss;
  const row: FidelityRow = {
    ...base,
    seeds: { ours: found.map((f) => f.model.seed), pytorch: refs.map((r) => r.seed) },
    accuracies: { ours: oursAcc, pytorch: pytorchAcc },
    ours: found.length ? mean(oursAcc) : null,
    difference: found.length ? points(mean(oursAcc) - base.pytorch) : null,
    interval: null,
    trainLoss: { ours: meanOf(found.map(lastLoss)), pytorch: meanOf(refs.map((r) => r.finalTrainLoss)) },
    status: 'ok',
    ...(shift ? { shift } : {}),
  };
  const welch = welchInterval(oursAcc, pytorchAcc);
  if (welch) row.interval = { low: points(welch.low), high: points(welch.high), df: welch.df };
  if (found.length === 0) return { ...row, status: 'missing', reason: `no run has ${target.experiment}/${target.key}` };
  const mismatches = [...new Set(found.flatMap((f) => mismatchesOf(f, first)))];
  if (mismatches.length > 0) return { ...row, status: 'mismatch', reason: mismatches.join(', ') };
  return { ...row, status: Math.abs(row.difference as number) <= tolerance ? 'ok' : 'outside' };
}

/**
 * Pairs each reference model with the aa-bench model(s) it is the peer of and compares the mean final test
 * accuracies over the seeds of each side, with Welch's 95% t interval on the difference when both sides have at
 * least two seeds.
 * @param tolerance - allowed |mean ours − mean PyTorch| in percentage points (the 2).
 */
export function compareWithReference(runs: readonly Results[], references: readonly ReferenceRun[], tolerance = 2): FidelityReport {
  if (!(typeof tolerance === 'number' && tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new Error(`tolerance must be a non-negative number of percentage points, got ${String(tolerance)}.`);
  }
  const rows: FidelityRow[] = [];
  const groups = groupReferences(references);
  // Rows in the bench's order (the chapter's sections, then the exercises), whatever the order of the files.
  for (const [name, targets] of Object.entries(REFERENCE_MODELS)) {
    const refs = groups.get(name);
    if (!refs) continue;
    const peerRows = targets.map((target) => compareModel(runs, name, refs, target, tolerance));
    // A peer of several bench models (the plain CNN: shift/plain and residual/cnn) is compared once per model the
    // runs have; the others are listed as missing only when the runs have none of them.
    const present = peerRows.filter((r) => r.status !== 'missing');
    rows.push(...(present.length > 0 ? present : peerRows));
  }
  const report: FidelityReport = { tolerance, rows };
  const std = (side: 'ours' | 'pytorch', ...names: string[]) => {
    for (const n of names) {
      const row = rows.find((r) => r.reference === n && r.experiment === 'shift');
      const v = side === 'ours' ? row?.shift?.ours?.medianStd : row?.shift?.pytorch.medianStd;
      if (typeof v === 'number') return v;
    }
    return undefined;
  };
  for (const side of ['ours', 'pytorch'] as const) {
    // The chapter's own anti-aliased CNN first; the normalised-filter peer when only it was run.
    const plain = std(side, 'normal');
    const aa = std(side, 'aa', 'aa_fixed');
    if (plain !== undefined && aa !== undefined) report.shiftStd = { ...report.shiftStd, [side]: { plain, aa } };
  }
  return report;
}

const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '–');
const fixed = (v: number | null | undefined, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '–');
const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(2)}`;

/** The comparison as Markdown: a table per model, a line on the interval, a shift table and a line on the shift std. */
export function formatFidelity(report: FidelityReport): string {
  const lines = [
    `| model | train / test / epochs | seeds (aa-bench / PyTorch) | aa-bench | PyTorch | difference (points) | 95% interval (Welch) | within ±${report.tolerance} | last-epoch train loss (aa-bench / PyTorch) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of report.rows) {
    const verdict = r.status === 'ok' ? 'yes' : r.status === 'outside' ? '**no**' : `not compared (${r.reason ?? r.status})`;
    const diff = r.difference === null ? '–' : signed(r.difference);
    const interval = r.interval ? `[${signed(r.interval.low)}, ${signed(r.interval.high)}]` : '–';
    lines.push(
      `| ${r.label} | ${r.sizes.train} / ${r.sizes.test} / ${r.sizes.epochs} | ${r.seeds.ours.length} / ${r.seeds.pytorch.length} | ${pct(r.ours)} | ${pct(r.pytorch)} | ${diff} | ${interval} | ${verdict} | ${fixed(r.trainLoss.ours, 4)} / ${fixed(r.trainLoss.pytorch, 4)} |`,
    );
  }
  lines.push(
    '',
    'Accuracies and losses are means over the seeds of each side; the difference is aa-bench − PyTorch. The interval is ' +
      "Welch's t 95% confidence interval for that difference of means, from the per-seed final accuracies (unequal variances); " +
      "'–' where a side has fewer than 2 seeds. The tolerance applies to the mean difference.",
  );
  const shiftRows = report.rows.filter((r) => r.shift);
  if (shiftRows.length > 0) {
    lines.push(
      '',
      '| model | median std of P(correct) over 64 shifts (aa-bench / PyTorch) | agreement with centre crop | accuracy over all shifts | consistency |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const r of shiftRows) {
      const o = r.shift?.ours;
      const p = r.shift?.pytorch;
      lines.push(
        `| ${r.label} | ${fixed(o?.medianStd, 4)} / ${fixed(p?.medianStd, 4)} | ${pct(o?.agreement)} / ${pct(p?.agreement)} | ${pct(o?.accuracyAllShifts)} / ${pct(p?.accuracyAllShifts)} | ${pct(o?.consistency)} / ${pct(p?.consistency)} |`,
      );
    }
  }
  const say = (name: string, v?: { plain: number; aa: number }) =>
    v ? `${name}: median shift std ${v.plain.toFixed(4)} → ${v.aa.toFixed(4)} with anti-aliasing (${v.aa < v.plain ? 'lower' : '**not lower**'})` : undefined;
  const stdLines = [say('aa-bench', report.shiftStd?.ours), say('PyTorch', report.shiftStd?.pytorch)].filter((l): l is string => l !== undefined);
  if (stdLines.length > 0) lines.push('', ...stdLines.map((l) => `- ${l}`));
  return `${lines.join('\n')}\n`;
}

/** True when every compared model is within the tolerance and anti-aliasing lowered our shift std (when measured). */
export function fidelityPassed(report: FidelityReport): boolean {
  const compared = report.rows.every((r) => r.status === 'ok');
  const std = report.shiftStd?.ours;
  return compared && report.rows.length > 0 && (std === undefined || std.aa < std.plain);
}
