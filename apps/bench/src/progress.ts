import { formatDuration } from './estimate';

/** Where progress goes: a terminal gets a live line, a log file a line about every `intervalMs`. */
export interface ProgressSink {
  /** A permanent line. */
  line(text: string): void;
  /** The live status (replaced in place on a terminal, throttled otherwise). */
  status(text: string): void;
}

/** A sink on a stream (stderr): live on a TTY, one status line per `intervalMs` otherwise. */
export function streamSink(stream: NodeJS.WriteStream, intervalMs = 10_000, now: () => number = () => performance.now()): ProgressSink {
  let live = false;
  let last = -Infinity;
  const clear = () => {
    if (live) stream.write('\r\x1b[2K');
    live = false;
  };
  return {
    line(text) {
      clear();
      stream.write(`${text}\n`);
    },
    status(text) {
      if (stream.isTTY) {
        clear();
        stream.write(text.slice(0, Math.max(20, (stream.columns ?? 100) - 1)));
        live = true;
      } else if (now() - last >= intervalMs) {
        last = now();
        stream.write(`${text}\n`);
      }
    },
  };
}

/** `[=====>    ] 52%` */
function bar(fraction: number, width = 20): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'='.repeat(full)}${full < width ? '>' : ''}${' '.repeat(Math.max(0, width - full - 1))}]`;
}

/**
 * The status line of one model's training: epoch, a bar, images/s and the ETA of this model (measured on the images
 * trained so far in this process).
 */
export class TrainingProgress {
  private started = -1;
  private imagesBefore = 0;
  constructor(
    private readonly sink: ProgressSink,
    private readonly name: string,
    private readonly epochs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** After each batch: `images` of `total` done in epoch `epoch` (0-based). */
  batch(epoch: number, images: number, total: number): void {
    const t = this.now();
    const done = epoch * total + images;
    if (this.started < 0) {
      this.started = t;
      this.imagesBefore = done;
      return;
    }
    const seconds = (t - this.started) / 1000;
    const rate = seconds > 0 ? (done - this.imagesBefore) / seconds : 0;
    const left = this.epochs * total - done;
    const eta = rate > 0 ? ` ETA ${formatDuration(left / rate)}` : '';
    this.sink.status(`${this.name}: epoch ${epoch + 1}/${this.epochs} ${bar(images / total)} ${Math.round((100 * images) / total)}% ${rate.toFixed(0)} img/s${eta}`);
  }
}
