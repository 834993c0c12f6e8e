import { readFileSync } from 'node:fs';

import type { TrainingRecord } from './experiments/training';
import type { ModelRun } from './experiments/types';
import type { Results } from './report/results';

/**
 * Fidelity check: the final test accuracies (and shift figures) of aa-bench runs next to those of the
 * chapter's PyTorch code (`chapter14_reference.py`, one JSON file per model), on the same sizes and epochs.
 */

/** What a PyTorch reference file holds (only the fields this comparison reads). */
export interface ReferenceRun {
  /** The file it came from. */
  file: string;
  /** Reference model name: `normal`, `aa`, `aa_fixed`, `resnet`, `rezero`, `rezero_mixup`. */
  model: string;
  train: number;
  test: number;
  epochs: number;
  finalAccuracy: number;
  /** Mean training loss of the last epoch (null if the file lacks it). */
  finalTrainLoss: number | null;
  medianStd: number | null;
  agreement: number | null;
  accuracyAllShifts: number | null;
}

/** Which aa-bench model each reference model is: experiment and model key. */
export const REFERENCE_MODELS: Readonly<Record<string, { experiment: string; key: string; label: string }>> = {
  normal: { experiment: 'shift', key: 'plain', label: 'plain CNN' },
  aa: { experiment: 'shift', key: 'aa', label: 'anti-aliased CNN' },
  resnet: { experiment: 'residual', key: 'resnet', label: 'ResNet (28 blocks)' },
  rezero: { experiment: 'residual', key: 'rezero', label: 'ReZero ResNet' },
  rezero_mixup: { experiment: 'mixup', key: 'rezero_mixup', label: 'ReZero ResNet + MixUp' },
};

function field(file: string, obj: Record<string, unknown>, name: string, check: (v: unknown) => boolean, what: string): unknown {
  const v = obj[name];
  if (!check(v)) throw new Error(`${file}: '${name}' must be ${what}, got ${JSON.stringify(v)}.`);
  return v;
}

const isCount = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isFraction = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

/** Parses one reference JSON file; a run that did not finish, or a file of another kind, is a clear error. */
export function parseReference(file: string, text: string): ReferenceRun {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: not a chapter14_reference.py result (expected a JSON object).`);
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
    finalAccuracy,
    finalTrainLoss,
    medianStd: num('median_std_correct_prob'),
    agreement: num('agreement_with_center'),
    accuracyAllShifts: num('accuracy_over_64_shifts'),
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

/** One compared model. Accuracies are fractions; `difference` is in percentage points (ours − PyTorch). */
export interface FidelityRow {
  reference: string;
  label: string;
  ours: number | null;
  pytorch: number;
  difference: number | null;
  /** Mean training loss of the last epoch, each side: less noisy than a test accuracy, it shows whether training itself matches. */
  trainLoss: { ours: number | null; pytorch: number | null };
  /** `ok` within the tolerance, `outside` beyond it, `mismatch` when sizes or epochs differ, `missing` when no run has the model. */
  status: 'ok' | 'outside' | 'mismatch' | 'missing';
  /** Why a row is `mismatch` or `missing`. */
  reason?: string;
  /** Training images, test images and epochs both sides used (from the reference). */
  sizes: { train: number; test: number; epochs: number };
  shift?: { ours: NonNullable<ModelRun['shift']>['metrics'] | undefined; pytorch: { medianStd: number | null; agreement: number | null; accuracyAllShifts: number | null } };
}

/** The comparison of runs with references. */
export interface FidelityReport {
  tolerance: number;
  rows: FidelityRow[];
  /** Median shift std of the plain and anti-aliased CNNs, each side, when both are present. */
  shiftStd?: { ours?: { plain: number; aa: number }; pytorch?: { plain: number; aa: number } };
}

/** The model's run with the first seed (the reference trains one seed). */
function findModel(runs: readonly Results[], experiment: string, key: string): { run: Results; model: ModelRun } | undefined {
  // The last run given wins, so a re-run listed later replaces an earlier one.
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i] as Results;
    const model = (run.experiments[experiment] as TrainingRecord | undefined)?.models.find((m) => m.key === key)?.runs[0];
    if (model) return { run, model };
  }
  return undefined;
}

/**
 * Pairs each reference with the aa-bench model it reproduces and compares final test accuracies.
 * @param tolerance - allowed |ours − PyTorch| in percentage points (the 2).
 */
export function compareWithReference(runs: readonly Results[], references: readonly ReferenceRun[], tolerance = 2): FidelityReport {
  if (!(typeof tolerance === 'number' && tolerance >= 0 && Number.isFinite(tolerance))) {
    throw new Error(`tolerance must be a non-negative number of percentage points, got ${String(tolerance)}.`);
  }
  const rows: FidelityRow[] = [];
  for (const ref of references) {
    const target = REFERENCE_MODELS[ref.model];
    if (!target) {
      throw new Error(`${ref.file}: reference model '${ref.model}' has no aa-bench counterpart; compare one of ${Object.keys(REFERENCE_MODELS).join(', ')}.`);
    }
    const sizes = { train: ref.train, test: ref.test, epochs: ref.epochs };
    const found = findModel(runs, target.experiment, target.key);
    const lastRecord = found?.model.records[found.model.records.length - 1];
    const oursLoss = typeof lastRecord?.trainLoss === 'number' ? lastRecord.trainLoss : null;
    const base = { reference: ref.model, label: target.label, pytorch: ref.finalAccuracy, sizes, trainLoss: { ours: oursLoss, pytorch: ref.finalTrainLoss } };
    const shift =
      target.experiment === 'shift'
        ? { ours: found?.model.shift?.metrics, pytorch: { medianStd: ref.medianStd, agreement: ref.agreement, accuracyAllShifts: ref.accuracyAllShifts } }
        : undefined;
    if (!found) {
      rows.push({ ...base, ours: null, difference: null, status: 'missing', reason: `no run has ${target.experiment}/${target.key}`, shift });
      continue;
    }
    const ours = found.model.finalAccuracy;
    const difference = Math.round((ours - ref.finalAccuracy) * 1e4) / 100;
    const data = found.run.data;
    const mismatches: string[] = [];
    if (!data) mismatches.push('the run records no data sizes');
    else {
      if (data.embedded) mismatches.push('the run used the embedded subset');
      if (data.trainSize !== ref.train) mismatches.push(`train ${data.trainSize} vs ${ref.train}`);
      if (data.testSize !== ref.test) mismatches.push(`test ${data.testSize} vs ${ref.test}`);
      if (found.model.records.length !== ref.epochs) mismatches.push(`epochs ${found.model.records.length} vs ${ref.epochs}`);
    }
    if (mismatches.length > 0) {
      rows.push({ ...base, ours, difference, status: 'mismatch', reason: mismatches.join(', '), shift });
      continue;
    }
    rows.push({ ...base, ours, difference, status: Math.abs(difference) <= tolerance ? 'ok' : 'outside', shift });
  }
  const report: FidelityReport = { tolerance, rows };
  const std = (ref: string, side: 'ours' | 'pytorch') => {
    const row = rows.find((r) => r.reference === ref);
    return side === 'ours' ? row?.shift?.ours?.medianStd : (row?.shift?.pytorch.medianStd ?? undefined);
  };
  for (const side of ['ours', 'pytorch'] as const) {
    const plain = std('normal', side);
    const aa = std('aa', side);
    if (typeof plain === 'number' && typeof aa === 'number') report.shiftStd = { ...report.shiftStd, [side]: { plain, aa } };
  }
  return report;
}

const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : '–');
const fixed = (v: number | null | undefined, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '–');

/** The comparison as Markdown: a table per model and a line on the shift std. */
export function formatFidelity(report: FidelityReport): string {
  const lines = [
    `| model | train / test / epochs | aa-bench | PyTorch | difference (points) | within ±${report.tolerance} | last-epoch train loss (aa-bench / PyTorch) |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of report.rows) {
    const verdict = r.status === 'ok' ? 'yes' : r.status === 'outside' ? '**no**' : `not compared (${r.reason ?? r.status})`;
    const diff = r.difference === null ? '–' : `${r.difference > 0 ? '+' : ''}${r.difference.toFixed(2)}`;
    lines.push(`| ${r.label} | ${r.sizes.train} / ${r.sizes.test} / ${r.sizes.epochs} | ${pct(r.ours)} | ${pct(r.pytorch)} | ${diff} | ${verdict} | ${fixed(r.trainLoss.ours, 4)} / ${fixed(r.trainLoss.pytorch, 4)} |`);
  }
  const shiftRows = report.rows.filter((r) => r.shift);
  if (shiftRows.length > 0) {
    lines.push('', '| model | median std of P(correct) over 64 shifts (aa-bench / PyTorch) | agreement with centre crop | accuracy over all shifts |', '| --- | --- | --- | --- |');
    for (const r of shiftRows) {
      const s = r.shift!;
      lines.push(
        `| ${r.label} | ${fixed(s.ours?.medianStd, 4)} / ${fixed(s.pytorch.medianStd, 4)} | ${pct(s.ours?.agreement)} / ${pct(s.pytorch.agreement)} | ${pct(s.ours?.accuracyAllShifts)} / ${pct(s.pytorch.accuracyAllShifts)} |`,
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
