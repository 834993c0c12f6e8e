import { fail, isNil } from './validate';

/**
 * One row of the results table (the book's `train_network` DataFrame), one per epoch.
 * Scores are keyed by the names given in `scores`; `null` means "not available" (no test data, or
 * no predictions to score, e.g. a custom step that returns only a loss).
 */
export interface EpochRecord {
  /** Epoch index, counted from 0 like the book. */
  epoch: number;
  /** Seconds spent in training passes so far (the book's `total time`: evaluation not included). */
  totalTime: number;
  /** Seconds of this epoch's training pass. */
  epochTime: number;
  /** Learning rate at the start of the epoch (`null` if the optimizer does not expose one). */
  lr: number | null;
  /** Mean training loss over the epoch's samples (weighted by batch size). */
  trainLoss: number;
  /** Mean test loss, or `null` without test data. */
  testLoss: number | null;
  /** Scores on the training batches, computed on the training-mode predictions before each update. */
  trainScores: Record<string, number | null>;
  /** Scores on the test data (inference mode), or `{}` without test data. */
  testScores: Record<string, number | null>;
}

/** A flat row with the book's column names: `epoch`, `total time`, `train loss`, `test loss`, `train <score>`, `test <score>`, then `epoch time`, `lr`. */
export type RecordRow = Record<string, number | null>;

function scoreNames(records: readonly EpochRecord[], key: 'trainScores' | 'testScores'): string[] {
  const names = new Set<string>();
  for (const r of records) for (const n of Object.keys(r[key])) names.add(n);
  return [...names];
}

function assertRecords(fn: string, records: unknown): asserts records is readonly EpochRecord[] {
  if (!Array.isArray(records)) fail(fn, 'records', records, 'an array of EpochRecord');
  records.forEach((r, i) => {
    const ok = !isNil(r) && typeof r === 'object' && typeof r.epoch === 'number' && !isNil(r.trainScores) && !isNil(r.testScores);
    if (!ok) fail(fn, `records[${i}]`, r, 'an EpochRecord ({epoch, totalTime, trainLoss, trainScores, testScores, …})');
  });
}

/** The records as flat rows keyed by the book's column names (what its DataFrame holds). */
export function recordsToRows(records: readonly EpochRecord[]): RecordRow[] {
  assertRecords('recordsToRows', records);
  const hasTest = records.some((r) => r.testLoss !== null || Object.keys(r.testScores).length > 0);
  const train = scoreNames(records, 'trainScores');
  const test = scoreNames(records, 'testScores');
  return records.map((r) => {
    const row: RecordRow = { epoch: r.epoch, 'total time': r.totalTime, 'train loss': r.trainLoss };
    if (hasTest) row['test loss'] = r.testLoss;
    for (const n of train) row[`train ${n}`] = r.trainScores[n] ?? null;
    for (const n of test) row[`test ${n}`] = r.testScores[n] ?? null;
    row['epoch time'] = r.epochTime;
    row.lr = r.lr;
    return row;
  });
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The records as CSV: a header with the book's column names, one line per epoch, `\n` line ends.
 * Missing values are empty fields; numbers are written in full precision.
 */
export function recordsToCsv(records: readonly EpochRecord[]): string {
  assertRecords('recordsToCsv', records);
  const rows = recordsToRows(records);
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0] as RecordRow);
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => (isNil(row[c]) ? '' : String(row[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * The records as a JSON array of {@link EpochRecord} objects (NaN and infinities become `null`,
 * as JSON has no such numbers).
 */
export function recordsToJson(records: readonly EpochRecord[], space = 2): string {
  assertRecords('recordsToJson', records);
  return JSON.stringify(records, null, space);
}
