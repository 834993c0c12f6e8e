import * as tf from '@tensorflow/tfjs';

import { blur, edgeAwareBlurPool2d, EdgeAwareBlurPool2D } from '../src';
import fixtures from './fixtures/kornia.json';
import { expectClose, flat } from './helpers';

interface KorniaCase {
  input_shape: [number, number, number, number];
  input: unknown;
  output_shape: number[];
  output: unknown;
  upstream: unknown;
  grad: unknown;
}
interface BlurPoolCase extends KorniaCase {
  kernelSize: number;
  stride: number;
}
interface MaxBlurPoolCase extends BlurPoolCase {
  maxPoolSize: number;
}
interface EdgeAwareCase extends KorniaCase {
  kernelSize: number;
  edgeThreshold: number;
  edgeDilationKernelSize: number;
  epsilon: number;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Checks `fn` against a kornia case: the output, and the gradient of sum(fn(x) * upstream). */
function checkCase(c: KorniaCase, fn: (x: tf.Tensor4D) => tf.Tensor): void {
  const x = tf.tensor4d(flat(c.input), c.input_shape);
  const upstream = tf.tensor(flat(c.upstream), c.output_shape);
  const y = fn(x);
  expect(y.shape).toEqual(c.output_shape);
  expectClose(y.dataSync(), flat(c.output));
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fn(v as tf.Tensor4D), upstream)))(x);
  expectClose(g.dataSync(), flat(c.grad));
  tf.dispose([x, upstream, y, g]);
}

describe(`kornia ${fixtures.kornia} golden values`, () => {
  it.each((fixtures.blurPool2d as BlurPoolCase[]).map((c) => [`k=${c.kernelSize} s=${c.stride}`, c] as const))(
    "BlurPool2D(%s) is blur with padding 'same' (odd kernels)",
    (_name, c) => checkCase(c, (x) => blur(x, { kernelSize: c.kernelSize, stride: c.stride, padding: 'same' })),
  );

  it.each((fixtures.maxBlurPool2d as MaxBlurPoolCase[]).map((c) => [`k=${c.kernelSize} s=${c.stride} max=${c.maxPoolSize}`, c] as const))(
    "MaxBlurPool2D(%s) is an unpadded stride-1 tf.maxPool, then blur with padding 'same'",
    (_name, c) =>
      checkCase(c, (x) => blur(tf.maxPool(x, c.maxPoolSize, 1, 'valid'), { kernelSize: c.kernelSize, stride: c.stride, padding: 'same' })),
  );

  const edgeCases = (fixtures.edgeAware as EdgeAwareCase[]).map(
    (c) => [`k=${c.kernelSize} threshold=${c.edgeThreshold} dilation=${c.edgeDilationKernelSize} [${c.input_shape}]`, c] as const,
  );

  it.each(edgeCases)('EdgeAwareBlurPool2D(%s): edgeAwareBlurPool2d matches, value and gradient', (_name, c) => {
    const { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon } = c;
    checkCase(c, (x) => edgeAwareBlurPool2d(x, { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon }));
  });

  it.each(edgeCases)('EdgeAwareBlurPool2D(%s): the layer matches inside a model', (_name, c) => {
    const { kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon } = c;
    const layer = new EdgeAwareBlurPool2D({ kernelSize, edgeThreshold, edgeDilationKernelSize, epsilon });
    const input = tf.input({ shape: c.input_shape.slice(1) });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    checkCase(c, (x) => model.apply(x) as tf.Tensor);
    model.dispose();
  });

  it('the fixtures exercise both sides of the edge decision (some cells kept, some blurred)', () => {
    for (const c of fixtures.edgeAware as EdgeAwareCase[]) {
      const x = flat(c.input);
      const y = flat(c.output);
      const kept = x.filter((v, i) => v === y[i]).length;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(x.length);
    }
  });
});
