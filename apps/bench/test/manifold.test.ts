import { crossEntropy } from '@aa/mixup';
import { segmentedResnet } from '@aa/rezero';
import { trainNetwork } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { manifoldStep } from '../src/training/manifoldStep';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('manifoldStep', () => {
  it('trains the segmented ReZero ResNet through trainNetwork without leaking tensors, reproducibly', async () => {
    const train = async () => {
      const { model, segments } = segmentedResnet({ inputShape: [8, 8, 3], classes: 4, width: 4, blocksPerStage: 0, seed: 5 });
      const batches = () => [0, 1].map((i) => ({ xs: tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 10 + i), ys: tf.tensor1d([0, 1, 2, 3], 'int32') }));
      const records = await trainNetwork(model, crossEntropy, { [Symbol.iterator]: () => batches()[Symbol.iterator]() }, { epochs: 2, step: manifoldStep(segments), silent: true, seed: 3 });
      model.dispose();
      return records.map((r) => r.trainLoss);
    };
    const before = tf.memory().numTensors;
    const losses = await train();
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    // The loop's seed drives the boundary, λ and permutation: the same seed gives the same losses.
    expect(await train()).toEqual(losses);
  });
});
