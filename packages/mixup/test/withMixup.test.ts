import * as tf from '@tensorflow/tfjs';
import { mixupCollator, withMixup } from '../src/index';
import type { Batch, MixupSourceState, MixupTargets } from '../src/index';
import { arangeLabels, expectNoLeak, seededTensor, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A re-iterable source of `batches` fresh batches per epoch, as a data loader is, with `length`. */
function loader(batches = 2, b = 4): Iterable<Batch> & { length: number } {
  return {
    length: batches,
    *[Symbol.iterator]() {
      for (let i = 0; i < batches; i++) yield { xs: seededTensor([b, 3, 3, 1], i + 1), ys: arangeLabels(b) };
    },
  };
}

/** What an epoch yielded, disposed: per batch null for a clean batch, else its λ and partners. */
function epoch(source: Iterable<Batch>): ({ lambda: number[]; partners: number[] } | null)[] {
  const out: ({ lambda: number[]; partners: number[] } | null)[] = [];
  for (const batch of source) {
    if (batch.ys instanceof tf.Tensor) {
      out.push(null);
      tf.dispose([batch.xs, batch.ys]);
      continue;
    }
    const t = batch.ys as MixupTargets;
    out.push({ lambda: typeof t.lambda === 'number' ? [t.lambda] : values(t.lambda), partners: values(t.yj) });
    tf.dispose([batch.xs, t.yi, t.yj]);
    if (typeof t.lambda !== 'number') t.lambda.dispose();
  }
  return out;
}

describe('withMixup: offAfterEpoch and a checkpointable state', () => {
  test('mixes the first N epochs, then passes the batches through untouched; counts its epochs', () => {
    const source = loader();
    const train = withMixup(source, { mixupAlpha: 0.8, cutmixAlpha: 1, seed: 1, offAfterEpoch: 2 });
    expect(train.epochs).toBe(0);
    expect(train.length).toBe(2);
    const seen = [0, 1, 2, 3].map(() => epoch(train));
    expect(train.epochs).toBe(4);
    expect(seen[0]!.every((b) => b !== null)).toBe(true);
    expect(seen[1]!.every((b) => b !== null)).toBe(true);
    expect(seen[2]).toEqual([null, null]);
    expect(seen[3]).toEqual([null, null]);
    // Clean epochs yield the source's own tensors: nothing is copied or disposed.
    const [first] = train;
    const again = [...source][0]!;
    expect(values(first!.xs)).toEqual(values(again.xs));
    tf.dispose([first!.xs, first!.ys as tf.Tensor, again.xs, again.ys as tf.Tensor]);
  });

  test("a run resumed from a JSON checkpoint of getState() mixes and draws exactly as the uninterrupted run (trainNetwork's stateful contract)", () => {
    const options = { mixupAlpha: 0.4, cutmixAlpha: 1, mode: 'elem' as const, seed: 7, offAfterEpoch: 3 };
    const straight = withMixup(loader(), options);
    const reference = [0, 1, 2, 3].map(() => epoch(straight));
    // trainNetwork saves every `stateful` object's getState() after each epoch and calls setState() on resume.
    const first = withMixup(loader(), options);
    const before = [epoch(first), epoch(first)];
    const checkpoint = JSON.stringify({ mixup: first.getState() });
    const resumed = withMixup(loader(), { ...options, seed: 99 });
    resumed.setState((JSON.parse(checkpoint) as { mixup: MixupSourceState }).mixup);
    expect(resumed.epochs).toBe(2);
    const after = [epoch(resumed), epoch(resumed)];
    expect([...before, ...after]).toEqual(reference);
    expect(after[1]).toEqual([null, null]);
  });

  test('a kept collator as the transform has its generator state saved too; a plain function has none', async () => {
    const collate = mixupCollator({ alpha: 1, seed: 3 });
    const train = withMixup(loader(), collate, { offAfterEpoch: 1 });
    const state = train.getState();
    expect(state.rng).toEqual(collate.getState());
    epoch(train);
    const replay = withMixup(loader(), mixupCollator({ alpha: 1, seed: 4 }));
    replay.setState(state);
    expect(epoch(replay)).toEqual(
      epoch(withMixup(loader(), mixupCollator({ alpha: 1, seed: 3 }))),
    );
    expect(epoch(train)).toEqual([null, null]);
    const plain = withMixup(loader(), (b: Batch) => b);
    expect(plain.getState()).toEqual({ epochs: 0, rng: null });
    plain.setState({ epochs: 5, rng: null });
    expect(plain.epochs).toBe(5);
    await expectNoLeak(() => epoch(withMixup(loader(), { seed: 1, offAfterEpoch: 1 })));
  });

  test('async sources count epochs the same way', async () => {
    const source: AsyncIterable<Batch> = {
      async *[Symbol.asyncIterator]() {
        yield { xs: seededTensor([2, 2, 2, 1], 1), ys: arangeLabels(2) };
      },
    };
    const train = withMixup(source, { seed: 2, offAfterEpoch: 1 });
    const kinds: boolean[] = [];
    for (let e = 0; e < 2; e++) {
      for await (const batch of train) {
        kinds.push(batch.ys instanceof tf.Tensor);
        const t = batch.ys as MixupTargets | tf.Tensor;
        tf.dispose([batch.xs, ...(t instanceof tf.Tensor ? [t] : [t.yi, t.yj])]);
      }
    }
    expect(kinds).toEqual([false, true]);
    expect(train.epochs).toBe(2);
  });

  test('reports bad offAfterEpoch, options and states', () => {
    expect(() => withMixup(loader(), { offAfterEpoch: 0 })).toThrow(/^withMixup: offAfterEpoch must be a positive integer, got 0\.$/);
    expect(() => withMixup(loader(), (b: Batch) => b, { offAfterEpoch: 1.5 })).toThrow(/^withMixup: offAfterEpoch must be a positive integer, got 1\.5\.$/);
    expect(() => withMixup(loader(), { seed: 1 }, { offAfterEpoch: 2 })).toThrow(/^withMixup: sourceOptions must be undefined when collate is options/);
    expect(() => withMixup(loader(), { offAfterEpochs: 2 } as never)).toThrow(/^withMixup: option names must be .*'offAfterEpoch', got 'offAfterEpochs'\.$/);
    const train = withMixup(loader(), { seed: 1 });
    expect(() => train.setState({ epochs: -1, rng: null })).toThrow(/^withMixup\.setState: state\.epochs must be an integer >= 0 \(from getState\), got -1\.$/);
    expect(() => train.setState(null as never)).toThrow(/^withMixup\.setState: state\.epochs must be/);
    expect(() => train.setState({ epochs: 1, rng: [1, 2] })).toThrow(/^rng\.setState: state must be an array of four uint32 numbers/);
  });
});
