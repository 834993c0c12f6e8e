import { dataLoader, randomCrop } from '@aa/cifar-data';
import * as tf from '@tensorflow/tfjs';

import { EpochSource } from '../src/training/trainModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinySet() {
  const count = 10;
  const images = new Uint8Array(count * 8 * 8 * 3).map((_, i) => (i * 37) & 255);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: 8, width: 8, channels: 3 };
}

describe('EpochSource (resumable training batches)', () => {
  it('restores its epoch: a resumed run draws the batches an uninterrupted one would', () => {
    const make = () => dataLoader(tinySet(), { batchSize: 4, shuffle: true, seed: 7, transform: randomCrop(6) });
    const uninterrupted = new EpochSource(make());
    for (let e = 0; e < 3; e++) for (const b of uninterrupted) tf.dispose([b.xs, b.ys]);
    const resumed = new EpochSource(make());
    resumed.setState(JSON.parse(JSON.stringify(uninterrupted.getState())));
    expect(resumed.getState()).toEqual({ epoch: 3 });
    const a = [...uninterrupted];
    const b = [...resumed];
    expect(b).toHaveLength(3);
    a.forEach((batch, i) => {
      expect(Array.from(b[i]?.ys.dataSync() ?? [])).toEqual(Array.from(batch.ys.dataSync()));
      expect(Array.from(b[i]?.xs.dataSync() ?? [])).toEqual(Array.from(batch.xs.dataSync()));
    });
    tf.dispose([...a, ...b].flatMap((x) => [x.xs, x.ys]));
    expect(() => resumed.setState({ epoch: -1 })).toThrow(/EpochSource.setState: state must be \{epoch: integer >= 0\}/);
  });
});
