/** Progress of a download, reported to `onProgress` after every received chunk. */
export interface DownloadProgress {
  /** Address being downloaded (after no redirects: the one asked for). */
  readonly url: string;
  /** Bytes received so far in this attempt. */
  readonly receivedBytes: number;
  /** Bytes expected in total. */
  readonly totalBytes: number;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number;
}

const MB = 1024 * 1024;

/**
 * A one-line text progress bar redrawn in place with `\r`, for terminals only: on a pipe or a CI log
 * it would print thousands of lines, so callers enable it only when the stream is a TTY.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  /**
   * @param label text before the bar, e.g. the archive name.
   * @param stream where to draw (default stderr, so stdout stays clean for data).
   */
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Redraws at most every 100 ms, and always for the final byte. */
  update(received: number, total: number): void {
    const now = Date.now();
    if (received < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = total > 0 ? Math.min(1, received / total) : 0;
    const width = 30;
    const filled = Math.round(frac * width);
    const rate = received / MB / Math.max(0.001, (now - this.started) / 1000);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(
      `\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${(received / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB ${rate.toFixed(1)} MB/s`,
    );
  }

  /** Ends the line so later output starts on a fresh one. */
  finish(): void {
    this.stream.write('\n');
  }
}
