import { streamSink, TrainingProgress } from '../src/progress';

/** A stream that records what is written; `isTTY` as given. */
function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('on a terminal, replaces the status line in place and clears it before a permanent line', () => {
    const { writes, stream } = fakeStream(true);
    const sink = streamSink(stream);
    sink.status('a');
    sink.status('b');
    sink.line('done');
    expect(writes).toEqual(['a', '\r\x1b[2K', 'b', '\r\x1b[2K', 'done\n']);
  });

  it('in a log, prints a status line at most every interval', () => {
    const { writes, stream } = fakeStream(false);
    let t = 0;
    const sink = streamSink(stream, 10_000, () => t);
    sink.status('first');
    t = 5_000;
    sink.status('too soon');
    t = 10_000;
    sink.status('second');
    expect(writes).toEqual(['first\n', 'second\n']);
  });

  it('shows the epoch, the share done, images/s and the ETA of the model', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new TrainingProgress({ line: () => undefined, status: (s) => lines.push(s) }, 'shift/plain', 2, () => t);
    p.batch(0, 0, 1000); // the clock starts at the first batch
    t = 1000;
    p.batch(0, 500, 1000); // 500 images in 1 s; 1,500 to go: 3 s
    expect(lines).toEqual(['shift/plain: epoch 1/2 [==========>         ] 50% 500 img/s ETA 3 s']);
  });
});
