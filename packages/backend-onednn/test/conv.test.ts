/** Conv2D / FusedConv2D / depthwise kernels and their backprops against the cpu backend. */
import * as tf from '@tensorflow/tfjs';

import { deferredStats } from '../src/deferred';
import { biasGradientStats } from '../src/kernels/biasGradient';
import { registerOneDnnBackend } from '../src/index';
import { nativeAddon } from '../src/native';
import { compareBackends, describeNative, expectClose, expectFallback, expectNative, rand, runOn } from './helpers';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
  rounding?: 'floor' | 'round' | 'ceil';
}

const cases: ConvCase[] = [
  { x: [2, 7, 5, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 5, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 8, 9, 2], f: [2, 2, 2, 5], strides: 2, pad: 'valid' },
  { x: [1, 9, 7, 4], f: [5, 3, 4, 3], strides: [2, 3], pad: 'same' },
  { x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: 1 },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 2], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 5, 5, 3], f: [1, 1, 3, 6], strides: 2, pad: 'valid' },
  { x: [1, 8, 8, 2], f: [3, 3, 2, 2], strides: 2, pad: 0, rounding: 'ceil' },
  { x: [3, 4, 4, 1], f: [4, 4, 1, 3], strides: 1, pad: 'valid' },
];

const label = (c: ConvCase) =>
  `x ${c.x.join('x')} f ${c.f.join('x')} s ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${c.rounding ? ` ${c.rounding}` : ''}`;

describeNative('Conv2D and its backprops', () => {
  test.each(cases.map((c) => [label(c), c] as const))('forward and gradients, %s', async (_name, c) => {
    const stats = await compareBackends(() => {
      const x = rand(c.x, 1) as tf.Tensor4D;
      const w = rand(c.f, 2) as tf.Tensor4D;
      const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad, 'NHWC', 1, c.rounding);
      const y = conv(x, w);
      const dy = rand(y.shape, 3);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a as tf.Tensor4D, b as tf.Tensor4D))([x, w], dy);
      return [y, dx as tf.Tensor, dw as tf.Tensor];
    });
    if (c.rounding === undefined) {
      expectNative(stats, 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter');
    } else {
      // tfjs's conv2d gradient drops dimRoundingMode, so dy is larger than the geometry the backprop
      // kernels compute; the cpu kernels handle that (ignoring the extra rows), we defer to them.
      expectNative(stats, 'Conv2D');
      expectFallback(stats, 'Conv2DBackpropInput');
    }
  });

  test('dilated convolution (forward; tfjs has no dilated gradient)', async () => {
    const stats = await compareBackends(() =>
      tf.conv2d(rand([2, 9, 8, 2], 4) as tf.Tensor4D, rand([3, 3, 2, 3], 5) as tf.Tensor4D, 1, 'same', 'NHWC', 2),
    );
    expectNative(stats, 'Conv2D');
  });

  test('inputs cast from int32 (float32 tensors the cpu backend keeps as integer arrays) run natively', async () => {
    const stats = await compareBackends(() => {
      const pixels = tf.tensor4d(Array.from({ length: 2 * 6 * 5 * 3 }, (_, i) => (i * 37) % 256), [2, 6, 5, 3], 'int32');
      const x = tf.div(tf.cast(pixels, 'float32'), 1); // Cast relabels; RealDiv reads the integer array
      return [tf.conv2d(tf.cast(pixels, 'float32') as tf.Tensor4D, rand([3, 3, 3, 2], 40) as tf.Tensor4D, 1, 'same'), x, tf.relu(tf.sub(tf.cast(pixels, 'float32'), 100))];
    });
    expectNative(stats, 'Conv2D', 'RealDiv', 'Sub');
  });

  test('NCHW falls back to the cpu kernel with the same result', async () => {
    const stats = await compareBackends(() =>
      tf.conv2d(rand([2, 3, 6, 5], 6) as tf.Tensor4D, rand([3, 3, 3, 4], 7) as tf.Tensor4D, 1, 'same', 'NCHW'),
    );
    expectFallback(stats, 'Conv2D');
  });

  test('conv2dTranspose (Conv2DBackpropInput as a forward op) with stride 2', async () => {
    const stats = await compareBackends(() =>
      tf.conv2dTranspose(rand([2, 4, 3, 5], 8) as tf.Tensor4D, rand([3, 3, 2, 5], 9) as tf.Tensor4D, [2, 8, 6, 2], 2, 'same'),
    );
    expectNative(stats, 'Conv2DBackpropInput');
  });
});

describeNative('the deferred input gradient of a convolution (Conv2DBackpropInput)', () => {
  const convInput = () => ({ ...(deferredStats.byKind.convInput ?? { made: 0, computed: 0 }) });
  afterEach(async () => {
    registerOneDnnBackend({ fuseGradients: true });
    await tf.setBackend('cpu');
  });

  /** conv2dTranspose (the kernel as a forward op), stride 2, with its inputs disposed before the read. */
  async function transposed(fuse: boolean): Promise<Float32Array> {
    registerOneDnnBackend({ fuseGradients: fuse });
    await tf.setBackend('onednn');
    const before = tf.memory().numTensors;
    const x = rand([2, 4, 3, 5], 8) as tf.Tensor4D;
    const w = rand([3, 3, 2, 5], 9) as tf.Tensor4D;
    const y = tf.conv2dTranspose(x, w, [2, 8, 6, 2], 2, 'same');
    tf.dispose([x, w]);
    const values = Float32Array.from(y.dataSync());
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    return values;
  }

  test('read after its inputs are disposed: bit for bit the eager kernel\'s values', async () => {
    const eager = await transposed(false);
    const start = convInput();
    const deferred = await transposed(true);
    expect(convInput()).toEqual({ made: start.made + 1, computed: start.computed + 1 });
    expect(Buffer.from(deferred.buffer).equals(Buffer.from(eager.buffer))).toBe(true);
    // And both are the cpu kernel's values (independent definition).
    await compareBackends(() => tf.conv2dTranspose(rand([2, 4, 3, 5], 8) as tf.Tensor4D, rand([3, 3, 2, 5], 9) as tf.Tensor4D, [2, 8, 6, 2], 2, 'same'));
  });

  test('a first layer\'s input gradient is never computed, and the training step leaves nothing behind', async () => {
    await tf.setBackend('onednn');
    const backend = tf.backend();
    // tfjs-layers' convolutions: tf.fused.conv2d with a bias, whose gradient computes dx eagerly
    // (plain tf.conv2d's gradient only computes what the tape asks for).
    const w = tf.variable(rand([3, 3, 3, 4], 10));
    const bias = tf.variable(rand([4], 16));
    const x = rand([2, 6, 6, 3], 11);
    const tensors = tf.memory().numTensors;
    const data = backend.numDataIds();
    const start = convInput();
    for (let i = 0; i < 2; i++) {
      const loss = () => tf.sum(tf.square(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as unknown as tf.Tensor4D, bias, strides: 1, pad: 'same' })));
      const { grads, value } = tf.variableGrads(loss as () => tf.Scalar, [w, bias]);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(convInput()).toEqual({ made: start.made + 2, computed: start.computed });
    expect(tf.memory().numTensors).toBe(tensors);
    // The unread gradients let go of the dy and filter data they held.
    expect(backend.numDataIds()).toBe(data);
    tf.dispose([w, bias, x]);
  });

  test('input gradients that are used: the same as cpu, and as with the fusion off', async () => {
    const f = () => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.conv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), rand([3, 3, 4, 2], 12) as tf.Tensor4D, 1, 'valid')), rand([2, 2, 1, 2], 13))));
      return g([rand([2, 7, 5, 3], 14), rand([3, 3, 3, 4], 15)]);
    };
    const start = convInput();
    const stats = await compareBackends(f, { atol: 1e-5, rtol: 1e-4 });
    expectNative(stats, 'Conv2DBackpropInput');
    expect(convInput().computed - start.computed).toBe(2);
    registerOneDnnBackend({ fuseGradients: false });
    const made = convInput().made;
    await compareBackends(f, { atol: 1e-5, rtol: 1e-4 });
    expect(convInput().made).toBe(made);
  });
});

describeNative('FusedConv2D', () => {
  const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  test.each(activations)('bias + %s forward', async (activation) => {
    const stats = await compareBackends(() =>
      tf.fused.conv2d({
        x: rand([2, 6, 7, 3], 10, -2, 2) as tf.Tensor4D,
        filter: rand([3, 3, 3, 5], 11) as tf.Tensor4D,
        strides: [1, 2],
        pad: 'same',
        bias: rand([5], 12),
        activation,
        leakyreluAlpha: 0.3,
      }),
    );
    expectNative(stats, 'FusedConv2D');
  });

  test('gradients through a fused linear conv with bias (FusedConv2D + backprops)', async () => {
    const stats = await compareBackends(() => {
      const x = rand([2, 7, 6, 3], 13);
      const w = rand([3, 3, 3, 4], 14);
      const b = rand([4], 15);
      const f = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        tf.fused.conv2d({ x: a as tf.Tensor4D, filter: c as tf.Tensor4D, strides: 1, pad: 'same', bias: d, activation: 'linear' });
      const dy = rand([2, 7, 6, 4], 16);
      return [f(x, w, b), ...tf.grads(f)([x, w, b], dy)];
    });
    expectNative(stats, 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter');
  });

  test('the bias gradient comes out of the filter gradient\'s pass: the same as cpu, and as summing dy', async () => {
    const f = () => {
      const x = rand([3, 9, 8, 5], 17);
      const w = tf.variable(rand([3, 3, 5, 6], 18));
      const b = tf.variable(rand([6], 19));
      const loss = () => tf.sum(tf.mul(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as unknown as tf.Tensor4D, strides: 2, pad: 'same', bias: b }), rand([3, 5, 4, 6], 20))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, [w, b]);
      const out = [value, grads[w.name] as tf.Tensor, grads[b.name] as tf.Tensor];
      tf.dispose([w, b]);
      return out;
    };
    const before = { ...biasGradientStats };
    const stats = await compareBackends(f, { atol: 1e-5, rtol: 1e-4 });
    expectNative(stats, 'FusedConv2D', 'Conv2DBackpropFilter', 'Sum');
    expect(biasGradientStats).toEqual({ left: before.left + 1, taken: before.taken + 1 });
    // With the fusion off the Sum kernel adds dy up itself: the same gradients to float rounding.
    const fused = await runOn('onednn', f);
    registerOneDnnBackend({ fuseGradients: false });
    const plain = await runOn('onednn', f);
    registerOneDnnBackend({ fuseGradients: true });
    expect(biasGradientStats.taken).toBe(before.taken + 2);
    fused.forEach((o, i) => expectClose(o.values, (plain[i] as { values: Float32Array }).values, { atol: 1e-5, rtol: 1e-5 }));
  });

  test('gradients through a fused relu conv (tfjs unfuses it while taping)', async () => {
    const stats = await compareBackends(() => {
      const x = rand([2, 5, 5, 2], 17);
      const w = rand([3, 3, 2, 3], 18);
      const f = (a: tf.Tensor, c: tf.Tensor) =>
        tf.fused.conv2d({ x: a as tf.Tensor4D, filter: c as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.scalar(0.1), activation: 'relu' });
      return tf.grads(f)([x, w], rand([2, 5, 5, 3], 19));
    });
    expectNative(stats, 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Relu');
  });

  // oneDNN's own relu / clip post-ops turn NaN into 0; the activation must keep the cpu kernel's NaN.
  test.each(activations)('NaN and signed zeros through bias + %s (plain and depthwise) as on cpu', async (activation) => {
    const x = () => tf.tensor4d([NaN, -1, 1, 2, -7, 8, 0.5, -0.5, 0, -0, Infinity, -Infinity], [1, 2, 3, 2]);
    const stats = await compareBackends(() => {
      const bias = tf.tensor1d([0, -0]);
      const plain = tf.fused.conv2d({ x: x(), filter: tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]), strides: 1, pad: 'valid', bias, activation, leakyreluAlpha: 0.3 });
      const depthwise = tf.fused.depthwiseConv2d({ x: x(), filter: tf.ones([1, 1, 2, 1]) as tf.Tensor4D, strides: 1, pad: 'valid', bias, activation, leakyreluAlpha: 0.3 });
      // 1 / y tells +0 from -0 (cpu's Math.max(0, x) gives +0).
      return [plain, depthwise, tf.div(1, plain)];
    });
    expectNative(stats, 'FusedConv2D', 'FusedDepthwiseConv2D');
  });

  test('leakyrelu without leakyreluAlpha gives NaN for negative inputs, as the cpu kernel does', async () => {
    // tfjs-backend-cpu's fused kernels compute undefined * x = NaN; the backend matches them, not tf.leakyRelu's 0.2.
    const f = () => {
      const x = rand([1, 4, 5, 2], 44, -2, 2) as tf.Tensor4D;
      const w = rand([3, 3, 2, 3], 45) as tf.Tensor4D;
      return [
        tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', activation: 'leakyrelu' }),
        tf.fused.depthwiseConv2d({ x, filter: rand([3, 3, 2, 1], 46) as tf.Tensor4D, strides: 1, pad: 'same', activation: 'leakyrelu' }),
      ];
    };
    const stats = await compareBackends(f);
    expectNative(stats, 'FusedConv2D', 'FusedDepthwiseConv2D');
    // Independent of both backends: NaN exactly where the convolution is negative, the convolution elsewhere.
    await tf.setBackend('cpu');
    const [conv, out] = tf.tidy(() => {
      const x = rand([1, 4, 5, 2], 44, -2, 2) as tf.Tensor4D;
      const w = rand([3, 3, 2, 3], 45) as tf.Tensor4D;
      return [tf.conv2d(x, w, 1, 'same'), f()[0] as tf.Tensor];
    }) as [tf.Tensor, tf.Tensor];
    const c = conv.dataSync();
    const o = out.dataSync();
    expect(Array.from(c).some((v) => v < 0)).toBe(true);
    c.forEach((v, i) => expect(v < 0 ? Number.isNaN(o[i]) : Math.abs((o[i] as number) - v) < 1e-5).toBe(true));
    tf.dispose([conv, out]);
  });

  test('a bias of rank 5 (which raises the cpu output\'s rank) falls back', async () => {
    const stats = await compareBackends(() =>
      tf.fused.conv2d({ x: rand([1, 3, 3, 2], 46) as tf.Tensor4D, filter: rand([1, 1, 2, 2], 47) as tf.Tensor4D, strides: 1, pad: 'valid', bias: rand([1, 1, 1, 1, 2], 48) }),
    );
    expectFallback(stats, 'FusedConv2D');
  });

  test('prelu activation falls back to the cpu kernel', async () => {
    const stats = await compareBackends(() =>
      tf.fused.conv2d({
        x: rand([1, 5, 5, 2], 20) as tf.Tensor4D,
        filter: rand([3, 3, 2, 3], 21) as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        activation: 'prelu',
        preluActivationWeights: rand([3], 22),
      }),
    );
    expectFallback(stats, 'FusedConv2D');
  });
});

describeNative('native convolution errors', () => {
  test('a geometry oneDNN rejects throws every time (no half-built cache entry) and later convolutions still work', async () => {
    const addon = nativeAddon();
    // OH = 5 is inconsistent with IH = 4, a 3x3 window, stride 1 and no padding: oneDNN refuses the descriptor.
    const bad = Int32Array.of(1, 4, 4, 1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    for (let i = 0; i < 2; i++) {
      expect(() => addon.conv2d(0, new Float32Array(16), new Float32Array(9), null, new Float32Array(25), bad, 0, 0)).toThrow(/^conv2d: /);
    }
    const stats = await compareBackends(() => tf.conv2d(rand([1, 4, 4, 1], 49) as tf.Tensor4D, rand([3, 3, 1, 1], 50) as tf.Tensor4D, 1, 'valid'));
    expectNative(stats, 'Conv2D');
  });
});

describeNative('depthwise convolution', () => {
  const dwCases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; strides: number; pad: 'same' | 'valid' | number }> = [
    { x: [2, 7, 6, 3], f: [3, 3, 3, 1], strides: 1, pad: 'same' },
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], strides: 2, pad: 'valid' },
    { x: [1, 9, 9, 4], f: [2, 2, 4, 3], strides: 2, pad: 'same' },
    { x: [2, 8, 7, 2], f: [3, 3, 2, 1], strides: 2, pad: 1 },
  ];
  test.each(dwCases.map((c) => [`x ${c.x.join('x')} f ${c.f.join('x')} s ${c.strides} ${c.pad}`, c] as const))(
    'forward and gradients, %s',
    async (_name, c) => {
      const stats = await compareBackends(() => {
        const x = rand(c.x, 23);
        const w = rand(c.f, 24);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
        const y = f(x, w);
        return [y, ...tf.grads(f)([x, w], rand(y.shape, 25))];
      });
      expectNative(stats, 'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter');
    },
  );

  test('dilated depthwise forward and fused depthwise with bias + relu', async () => {
    const stats = await compareBackends(() => [
      tf.depthwiseConv2d(rand([1, 9, 8, 3], 26) as tf.Tensor4D, rand([3, 3, 3, 2], 27) as tf.Tensor4D, 1, 'same', 'NHWC', 2),
      tf.fused.depthwiseConv2d({
        x: rand([2, 6, 6, 3], 28) as tf.Tensor4D,
        filter: rand([3, 3, 3, 2], 29) as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: rand([6], 30),
        activation: 'relu',
      }),
    ]);
    expectNative(stats, 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D');
  });
});
