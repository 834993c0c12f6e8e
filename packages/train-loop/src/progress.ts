import type { EpochRecord } from './records';

/** Where the progress bar goes: `process.stderr` by default; anything with `write` (and `isTTY`). */
export interface ProgressStream {
  /** Writes text. */
  write(chunk: string): unknown;
  /** Only a terminal gets a progress bar. */
  isTTY?: boolean;
  /** Terminal width, used to fit the bar. */
  columns?: number;
}

/** `m:ss` or `h:mm:ss`; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Samples per second with 3 significant digits and k/M suffixes: `812 img/s`, `1.23k img/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '- img/s';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toPrecision(3)}M img/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toPrecision(3)}k img/s`;
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toPrecision(3)} img/s`;
}

/** A number for display: 4 decimals, or exponent notation when tiny or huge; `-` for null. */
export function formatNumber(x: number | null): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4);
}

/** `[=====>    ]` with `width` cells inside the brackets for a fraction in [0, 1]. */
export function renderBar(fraction: number, width: number): string {
  const w = Math.max(1, Math.floor(width));
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(f * w);
  if (filled >= w) return `[${'='.repeat(w)}]`;
  return `[${'='.repeat(filled)}>${' '.repeat(w - filled - 1)}]`;
}

/** What the progress line shows. */
export interface ProgressState {
  /** Epoch index (0-based). */
  epoch: number;
  /** Total epochs. */
  epochs: number;
  /** Batches done in this epoch. */
  batch: number;
  /** Batches per epoch, when the source has a `length`. */
  batches?: number;
  /** Running mean training loss of the epoch. */
  loss: number;
  /** Samples seen in this epoch. */
  samples: number;
  /** Seconds since the epoch began. */
  elapsed: number;
}

/** One progress line: `epoch 3/30 [====>   ] 120/391 loss 1.2345 812 img/s ETA 0:45`, fitted to `columns`. */
export function formatProgressLine(p: ProgressState, columns = 80): string {
  const head = `epoch ${p.epoch + 1}/${p.epochs}`;
  const count = p.batches === undefined ? `${p.batch}` : `${p.batch}/${p.batches}`;
  const eta = p.batches === undefined || p.batch === 0 ? '' : ` ETA ${formatDuration(((p.batches - p.batch) * p.elapsed) / p.batch)}`;
  const tail = `${count} loss ${formatNumber(p.loss)} ${formatRate(p.samples / p.elapsed)}${eta}`;
  if (p.batches === undefined) return `${head} ${tail}`.slice(0, Math.max(10, columns - 1));
  const room = columns - 1 - head.length - tail.length - 2;
  const line = room >= 7 ? `${head} ${renderBar(p.batch / p.batches, room - 2)} ${tail}` : `${head} ${tail}`;
  return line.slice(0, Math.max(10, columns - 1));
}

/** The per-epoch summary line: time, losses, scores, learning rate. */
export function formatEpochSummary(r: EpochRecord, epochs: number): string {
  const parts = [`epoch ${r.epoch + 1}/${epochs}`, `${r.epochTime.toFixed(1)}s`, `train loss ${formatNumber(r.trainLoss)}`];
  if (r.testLoss !== null) parts.push(`test loss ${formatNumber(r.testLoss)}`);
  for (const [n, v] of Object.entries(r.trainScores)) parts.push(`train ${n} ${formatNumber(v)}`);
  for (const [n, v] of Object.entries(r.testScores)) parts.push(`test ${n} ${formatNumber(v)}`);
  if (r.lr !== null) parts.push(`lr ${r.lr.toExponential(2)}`);
  return parts.join('  ');
}

/** The default stream: `process.stderr` when running under Node, else nothing. */
export function defaultProgressStream(): ProgressStream | undefined {
  const p = (globalThis as { process?: { stderr?: ProgressStream } }).process;
  return p?.stderr;
}

/**
 * A one-line progress bar redrawn in place (`\r`), plus one summary line per epoch. It writes nothing
 * unless the stream is a terminal and `silent` is false. Redraws are throttled to `intervalMs`.
 */
export class ProgressBar {
  /** Whether anything will be written. */
  readonly enabled: boolean;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream | undefined,
    silent: boolean,
    private readonly intervalMs = 100,
  ) {
    this.enabled = !silent && stream !== undefined && stream.isTTY === true;
  }

  /** Redraws the progress line (throttled unless `force`). */
  update(p: ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < this.intervalMs) return;
    this.lastDraw = now;
    this.drawn = true;
    (this.stream as ProgressStream).write(`\r${formatProgressLine(p, this.stream?.columns ?? 80)}\x1b[K`);
  }

  /** Replaces the progress line by a permanent line. */
  line(text: string): void {
    if (!this.enabled) return;
    (this.stream as ProgressStream).write(`${this.drawn ? '\r\x1b[K' : ''}${text}\n`);
    this.drawn = false;
    this.lastDraw = -Infinity;
  }

  /** Erases a half-drawn progress line (on errors). */
  clear(): void {
    if (!this.enabled || !this.drawn) return;
    (this.stream as ProgressStream).write('\r\x1b[K');
    this.drawn = false;
  }
}
