import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { crossEntropy } from '../src/losses';
import type { ProgressStream } from '../src/progress';
import { formatDuration, formatEpochSummary, formatNumber, formatProgressLine, formatRate, ProgressBar, renderBar } from '../src/progress';
import { accuracy } from '../src/scores';
import { trainNetwork } from '../src/train';
import { ArraySource, blobs, mlp } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  const s = { text: '', isTTY, columns: 100, write: (chunk: string) => void (s.text += chunk) };
  return s;
}

describe('formatting', () => {
  it('formats durations, rates and numbers', () => {
    expect([0, 5.4, 65, 3599.6, 3723].map(formatDuration)).toEqual(['0:00', '0:05', '1:05', '1:00:00', '1:02:03']);
    expect(formatDuration(Number.NaN)).toBe('--:--');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
    expect([0.5, 12.345, 812.4, 1234, 2.5e6].map(formatRate)).toEqual(['0.500 img/s', '12.3 img/s', '812 img/s', '1.23k img/s', '2.50M img/s']);
    expect(formatRate(Number.NaN)).toBe('- img/s');
    expect([1.23456, 0, 1e-5, 123456, null, Number.NaN].map(formatNumber)).toEqual(['1.2346', '0.0000', '1.000e-5', '1.235e+5', '-', 'NaN']);
  });

  it('renders bars', () => {
    expect(renderBar(0, 10)).toBe('[>         ]');
    expect(renderBar(0.5, 10)).toBe('[=====>    ]');
    expect(renderBar(1, 4)).toBe('[====]');
    expect(renderBar(2, 4)).toBe('[====]');
  });

  it('formats the progress line with batches, loss, rate and ETA, fitted to the width', () => {
    const line = formatProgressLine({ epoch: 2, epochs: 30, batch: 100, batches: 400, loss: 1.23456, samples: 12800, elapsed: 20 }, 80);
    expect(line).toMatch(/^epoch 3\/30 \[=+>\s*\] 100\/400 loss 1\.2346 640 img\/s ETA 1:00$/);
    expect(line.length).toBe(79);
    expect(formatProgressLine({ epoch: 0, epochs: 1, batch: 7, loss: 2, samples: 70, elapsed: 1 })).toBe('epoch 1/1 7 loss 2.0000 70.0 img/s');
    expect(formatProgressLine({ epoch: 0, epochs: 1, batch: 1, batches: 2, loss: 2, samples: 1, elapsed: 1 }, 30).length).toBeLessThanOrEqual(29);
  });

  it('formats the epoch summary', () => {
    const line = formatEpochSummary(
      { epoch: 0, totalTime: 2, epochTime: 2.04, lr: 0.001, trainLoss: 1.5, testLoss: 1.25, trainScores: { Accuracy: 0.5 }, testScores: { Accuracy: null } },
      3,
    );
    expect(line).toBe('epoch 1/3  2.0s  train loss 1.5000  test loss 1.2500  train Accuracy 0.5000  test Accuracy -  lr 1.00e-3');
  });
});

describe('ProgressBar', () => {
  const state = { epoch: 0, epochs: 1, batch: 1, batches: 2, loss: 1, samples: 4, elapsed: 1 };

  it('writes nothing when the stream is not a terminal, or when silent, or without a stream', () => {
    for (const [stream, silent] of [
      [fakeStream(false), false],
      [fakeStream(true), true],
    ] as const) {
      const bar = new ProgressBar(stream, silent);
      expect(bar.enabled).toBe(false);
      bar.update(state, true);
      bar.line('summary');
      bar.clear();
      expect(stream.text).toBe('');
    }
    expect(new ProgressBar(undefined, false).enabled).toBe(false);
  });

  it('redraws in place on a terminal, throttled, and ends with a summary line', () => {
    const s = fakeStream(true);
    const bar = new ProgressBar(s, false, 10_000);
    bar.update(state);
    bar.update({ ...state, batch: 2 }); // throttled away
    bar.update({ ...state, batch: 2 }, true);
    bar.line('done');
    expect(s.text.match(/\r/g)?.length).toBe(3);
    expect(s.text.endsWith('\r\x1b[Kdone\n')).toBe(true);
    expect(s.text).toContain('1/2 loss');
    expect(s.text).toContain('2/2 loss');
  });
});

describe('trainNetwork output', () => {
  function run(stream: ProgressStream, silent: boolean): Promise<unknown> {
    const { x, y } = blobs(12, 4, 3, 1);
    const opt = new AdamW();
    return trainNetwork(mlp(4, 3, 1), crossEntropy, new ArraySource(x, y, 4, 4, true), {
      epochs: 2,
      optimizer: opt,
      scores: { Accuracy: accuracy },
      silent,
      progressStream: stream,
    }).finally(() => opt.dispose());
  }

  it('is silent on a non-terminal stream and when asked', async () => {
    const pipe = fakeStream(false);
    await run(pipe, false);
    expect(pipe.text).toBe('');
    const tty = fakeStream(true);
    await run(tty, true);
    expect(tty.text).toBe('');
  });

  it('shows the bar and one summary line per epoch on a terminal', async () => {
    const tty = fakeStream(true);
    await run(tty, false);
    const lines = tty.text.split('\n').filter((l) => l.length > 0);
    expect(lines).toHaveLength(2);
    // The last redraw shows the full bar, then the summary replaces it.
    // eslint-disable-next-line no-control-regex -- the terminal escape is what is being checked
    expect(lines[0]).toMatch(/\repoch 1\/2 \[=+\] 3\/3 loss \d\.\d{4} .*img\/s ETA 0:00\x1b\[K\r\x1b\[Kepoch 1\/2 {2}\d+\.\ds {2}train loss \d\.\d{4} {2}train Accuracy \d\.\d{4} {2}lr 1\.00e-3$/);
    expect(lines[0]?.startsWith('\repoch 1/2 [')).toBe(true);
    expect(lines[1]).toContain('epoch 2/2  ');
  });
});
