/**
 * Buffer recycling must never change values user code holds, training must not grow memory
 * (tf.memory() and the resident set stay flat over 200 steps), and memory goes back to the system
 * when buffers are not reused.
 */
import * as tf from '@tensorflow/tfjs';

import { bufferPoolBytes, registerOneDnnBackend, releaseBufferPool } from '../src/index';
import { DEFAULT_POOL_BYTES, DEFAULT_POOL_IDLE_MS, DEFAULT_POOL_MAX_BUFFER_BYTES, poolStats } from '../src/pool';
import { describeNative, rand, seeded } from './helpers';

describeNative('buffer recycling is invisible to user code', () => {
  beforeAll(async () => {
    await tf.setBackend('onednn');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test('dataSync() of a native output is a copy that survives reuse of the buffer', () => {
    const x = rand([64, 33], 1);
    const y = tf.relu(x);
    const seen = y.dataSync();
    const expected = Float32Array.from(seeded(64 * 33, 1), (v) => Math.max(0, v));
    y.dispose();
    // Same length: this output takes the buffer y released.
    const z = tf.neg(x);
    expect(Array.from(seen)).toEqual(Array.from(expected));
    expect(z.dataSync()[0]).toBeCloseTo(-(seeded(1, 1)[0] as number), 6);
    tf.dispose([x, z]);
  });

  test('await data() is also a copy', async () => {
    const x = rand([5, 7], 2);
    const y = tf.exp(x);
    const seen = await y.data();
    const copy = Float32Array.from(seen);
    y.dispose();
    const z = tf.sqrt(tf.abs(x));
    expect(Array.from(seen)).toEqual(Array.from(copy));
    tf.dispose([x, z]);
  });

  test('a contiguous slice (a zero-copy view in the cpu kernel) keeps its values after the source is recycled', () => {
    const x = rand([4, 10], 3);
    const y = tf.mul(x, 2); // native output, pooled buffer
    const row = tf.slice(y, [1, 0], [1, 10]); // cpu view of y's buffer, must be unshared
    const expected = Array.from(seeded(40, 3).slice(10, 20), (v) => Math.fround(v * 2));
    y.dispose();
    const overwrite = tf.mul(x, -100); // reuses y's buffer
    expect(Array.from(row.dataSync())).toEqual(expected);
    tf.dispose([x, row, overwrite]);
  });

  test('reshape shares data by reference count: the buffer is recycled only after both are disposed', () => {
    const x = rand([6, 6], 4);
    const y = tf.add(x, 1);
    const r = tf.reshape(y, [36]);
    y.dispose();
    const other = tf.add(x, 7); // must not take r's buffer
    expect(r.dataSync()[0]).toBeCloseTo((seeded(1, 4)[0] as number) + 1, 6);
    tf.dispose([x, r, other]);
  });

  test('a cpu kernel\'s intermediate borrowing an input\'s buffer does not recycle it when disposed', () => {
    const x = rand([4, 10], 7);
    const a = tf.mul(x, 1); // native output: a pooled buffer owned by a
    const c = tf.complex(tf.mul(x, 3), tf.mul(x, 4));
    // The cpu Add casts the float input to complex64: a short-lived complex whose real part is a's
    // own array. Disposing that intermediate must leave a's buffer alone.
    const sum = tf.engine().runKernel('Add', { a: c, b: a }) as tf.Tensor;
    const overwrite = [tf.mul(x, -5), tf.mul(x, -6), tf.mul(x, -7)]; // would take a's buffer if it were free
    expect(Array.from(a.dataSync())).toEqual(Array.from(seeded(40, 7)));
    tf.dispose([x, a, c, sum, ...overwrite]);
  });

  test('released buffers are pooled and reused for the same length', () => {
    const x = rand([128, 16], 5);
    const y = tf.relu(x);
    y.dispose();
    const pooled = bufferPoolBytes();
    expect(pooled).toBeGreaterThanOrEqual(128 * 16 * 4);
    const z = tf.relu(x);
    expect(bufferPoolBytes()).toBe(pooled - 128 * 16 * 4);
    tf.dispose([x, z]);
    expect(releaseBufferPool()).toBeGreaterThanOrEqual(128 * 16 * 4);
    expect(bufferPoolBytes()).toBe(0);
  });
});

describeNative('memory over 200 training steps', () => {
  test('tf.memory() and the resident set stay flat', async () => {
    await tf.setBackend('onednn');
    const input = tf.input({ shape: [12, 12, 3] });
    let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
    h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
    h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
    h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const optimizer = tf.train.adam(0.01);
    const xs = rand([16, 12, 12, 3], 6);
    const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 4), 'int32'), 4);
    const step = () => {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true) as tf.Scalar;
      const v = loss.dataSync()[0] as number;
      loss.dispose();
      return v;
    };
    for (let i = 0; i < 20; i++) step();
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const rss = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 200; i++) last = step();
    expect(Number.isFinite(last)).toBe(true);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    // The pool holds one step's buffers; anything beyond a few MiB would be a leak.
    expect(process.memoryUsage().rss - rss).toBeLessThan(24 * 2 ** 20);
    optimizer.dispose();
    model.dispose();
    tf.dispose([xs, ys]);
    await tf.setBackend('cpu');
  });
});

describeNative('the buffer pool gives memory back without a manual call', () => {
  const defaults = { poolBytes: DEFAULT_POOL_BYTES, poolMaxBufferBytes: DEFAULT_POOL_MAX_BUFFER_BYTES, poolIdleMs: DEFAULT_POOL_IDLE_MS };
  beforeAll(async () => {
    await tf.setBackend('onednn');
    releaseBufferPool();
  });
  afterAll(async () => {
    registerOneDnnBackend(defaults);
    releaseBufferPool();
    await tf.setBackend('cpu');
  });

  /** A native output (Tile) of `mib` MiB, disposed at once; returns the resident set just before and just after. */
  const disposeNative = (mib: number): { alive: number; after: number } => {
    const t = tf.tidy(() => tf.tile(tf.ones([1, 2 ** 18]), [mib, 1]));
    const alive = process.memoryUsage().rss;
    t.dispose();
    return { alive, after: process.memoryUsage().rss };
  };

  test('a buffer above poolMaxBufferBytes is not kept, and its pages are returned at once', () => {
    registerOneDnnBackend({ poolMaxBufferBytes: 8 * 2 ** 20 });
    const decommitted = poolStats.decommittedBytes;
    const { alive, after } = disposeNative(32);
    expect(bufferPoolBytes()).toBe(0);
    expect(poolStats.decommittedBytes - decommitted).toBeGreaterThanOrEqual(32 * 2 ** 20 - 8192);
    // The resident set fell by (nearly) the whole buffer before any garbage collection could run.
    expect(alive - after).toBeGreaterThan(28 * 2 ** 20);
  });

  test('a kept buffer unused for poolIdleMs is dropped and its pages returned', async () => {
    registerOneDnnBackend({ poolMaxBufferBytes: DEFAULT_POOL_MAX_BUFFER_BYTES, poolIdleMs: 50 });
    disposeNative(4);
    expect(bufferPoolBytes()).toBe(4 * 2 ** 20);
    const decommitted = poolStats.decommittedBytes;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bufferPoolBytes()).toBe(0);
    expect(poolStats.decommittedBytes - decommitted).toBeGreaterThanOrEqual(4 * 2 ** 20 - 8192);
  });

  test('while buffers are reused within the idle time they stay', async () => {
    registerOneDnnBackend({ poolIdleMs: 400 });
    for (let i = 0; i < 6; i++) {
      disposeNative(2);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(bufferPoolBytes()).toBe(2 * 2 ** 20);
    expect(releaseBufferPool()).toBe(2 * 2 ** 20);
  });

  test('the pool never holds more than poolBytes', () => {
    registerOneDnnBackend({ poolBytes: 3 * 2 ** 20, poolIdleMs: DEFAULT_POOL_IDLE_MS });
    const a = tf.tidy(() => tf.tile(tf.ones([1, 2 ** 18]), [2, 1]));
    const b = tf.tidy(() => tf.tile(tf.ones([1, 2 ** 18]), [2, 1]));
    tf.dispose([a, b]);
    expect(bufferPoolBytes()).toBe(2 * 2 ** 20);
    registerOneDnnBackend({ poolBytes: 0 });
    expect(bufferPoolBytes()).toBe(0);
  });
});
