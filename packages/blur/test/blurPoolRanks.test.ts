import * as tf from '@tensorflow/tfjs';

import { BlurPool, BlurPool1D, BlurPool2D, BlurPool3D, type BlurPadding } from '../src';
import fixtures from './fixtures/filterSizes.json';
import { expectClose, expectNoLeak, flat, seededTensor } from './helpers';

interface SizeCase {
  rank: number;
  kernelSize: number;
  stride: number;
  padding: BlurPadding;
  output_shape: number[];
  output: unknown;
  upstream: unknown;
  grad: unknown;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const LAYERS = [
  [BlurPool1D, 1],
  [BlurPool2D, 2],
  [BlurPool3D, 3],
] as const;

describe('BlurPool1D, BlurPool2D and BlurPool3D', () => {
  it.each(LAYERS.map(([cls, d]) => [cls.className, cls, d] as const))('%s matches the PyTorch values of its rank (value and gradient)', (_name, cls, d) => {
    const input = (fixtures.inputs as Record<string, { shape: number[]; values: unknown }>)[String(d)]!;
    const x = tf.tensor(flat(input.values), input.shape);
    for (const c of (fixtures.cases as SizeCase[]).filter((c) => c.rank === d && [3, 4, 7].includes(c.kernelSize))) {
      const layer = new cls({ kernelSize: c.kernelSize, stride: c.stride, padding: c.padding });
      const upstream = tf.tensor(flat(c.upstream), c.output_shape);
      const y = layer.apply(x) as tf.Tensor;
      expect(layer.computeOutputShape(input.shape)).toEqual(c.output_shape);
      expectClose(y.dataSync(), flat(c.output));
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, upstream)))(x);
      expectClose(g.dataSync(), flat(c.grad));
      tf.dispose([y, upstream, g]);
    }
    x.dispose();
  });

  it.each(LAYERS.map(([cls, d]) => [cls.className, cls, d] as const))('%s accepts only its rank and names itself in errors', (name, cls, d) => {
    const wrong = d === 1 ? [null, 8, 8, 2] : [null, 8, 2];
    expect(() => new cls().computeOutputShape(wrong)).toThrow(new RegExp(`^${name}: input must have rank ${d + 2} \\(channels-last\\)`));
    const x = tf.zeros(wrong.map((n) => n ?? 1));
    expect(() => new cls().apply(x)).toThrow(new RegExp(`^${name}: input must have rank ${d + 2}`));
    x.dispose();
    expect(() => new cls({ kernelSize: 0 })).toThrow(new RegExp(`^${name}: kernelSize must be a positive integer`));
    expect(() => new cls({ strides: 2 } as never)).toThrow(new RegExp(`^${name}: option names must be one of 'kernelSize', 'stride', 'padding'`));
    expect(() => new cls({ kernelSize: 9, padding: 'valid' }).computeOutputShape([null, ...new Array(d).fill(8), 1])).toThrow(
      new RegExp(`^${name}: x is too small for kernelSize 9 under padding 'valid'`),
    );
    expect(new cls()).toBeInstanceOf(BlurPool);
  });

  it('save and load after conv1d, conv2d and conv3d as their own classes, with identical outputs, without leaks', async () => {
    const cases: [tf.layers.Layer, BlurPool, number[]][] = [
      [tf.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [12, 3] }), new BlurPool1D({ padding: 'replicate' }), [2, 12, 3]],
      [tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [8, 7, 3] }), new BlurPool2D({ kernelSize: 4 }), [2, 8, 7, 3]],
      [tf.layers.conv3d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [5, 6, 4, 1] }), new BlurPool3D({ kernelSize: 2, padding: 'same' }), [1, 5, 6, 4, 1]],
    ];
    for (const [conv, pool, shape] of cases) {
      const model = tf.sequential({ layers: [conv, pool] });
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
      expect(loaded.layers[1]!.getClassName()).toBe(pool.getClassName());
      expect(loaded.layers[1]!.getConfig()).toMatchObject({ kernelSize: pool.kernelSize, stride: pool.stride, padding: pool.padding });
      const x = seededTensor(shape, 13);
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expectClose(b.dataSync(), a.dataSync(), 0, 0);
      await expectNoLeak(() => {
        (loaded.predict(x) as tf.Tensor).dispose();
      });
      delete topology.config.layers[1].config.stride;
      await expect(tf.loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }))).rejects.toThrow(
        new RegExp(`${pool.getClassName()}.fromConfig: the saved config lacks 'stride'`),
      );
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    }
  });
});
