import * as tf from '@tensorflow/tfjs';

import { ReZero, rezero } from '@aa/rezero';

import { expectClose, expectNoLeak } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Small deterministic values, so the expected results are written out with plain arithmetic.
const S = [1, -2, 3.5, 0, 0.25, -1];
const B = [0.5, 4, -1, 2, -3, 1.5];
const U = [1, 0.5, -2, 3, 1, -1];

describe('rezero op', () => {
  it('computes shortcut + alpha * branch for a number, a scalar and a one-element tensor alpha', async () => {
    await expectNoLeak(() => {
      const s = tf.tensor2d(S, [2, 3]);
      const b = tf.tensor2d(B, [2, 3]);
      const expected = S.map((v, i) => v + 0.3 * (B[i] as number));
      for (const alpha of [0.3, tf.scalar(0.3), tf.tensor1d([0.3])]) {
        const y = rezero(s, b, alpha);
        expect(y.shape).toEqual([2, 3]);
        expectClose(y.dataSync(), expected, 1e-6, 1e-7);
        y.dispose();
        if (alpha instanceof tf.Tensor) alpha.dispose();
      }
      const zero = rezero(s, b, 0);
      expect(Array.from(zero.dataSync())).toEqual(S);
      tf.dispose([s, b, zero]);
    });
  });

  it('has the analytic gradients: d/ds = up, d/db = alpha * up, d/dalpha = sum(up * b)', async () => {
    await expectNoLeak(() => {
      const s = tf.tensor2d(S, [2, 3]);
      const b = tf.tensor2d(B, [2, 3]);
      const up = tf.tensor2d(U, [2, 3]);
      const alpha = tf.scalar(-0.7);
      const [gs, gb, ga] = tf.grads((x: tf.Tensor, y: tf.Tensor, a: tf.Tensor) => tf.sum(tf.mul(rezero(x, y, a), up)))([
        s,
        b,
        alpha,
      ]) as [tf.Tensor, tf.Tensor, tf.Tensor];
      expect(Array.from(gs.dataSync())).toEqual(U);
      expectClose(gb.dataSync(), U.map((u) => -0.7 * u), 1e-6, 1e-7);
      expectClose(ga.dataSync(), [U.reduce((acc, u, i) => acc + u * (B[i] as number), 0)], 1e-6, 0);
      expect(ga.shape).toEqual([]);
      tf.dispose([s, b, up, alpha, gs, gb, ga]);
    });
  });

  it('agrees with central finite differences in alpha at 0', () => {
    const s = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1);
    const b = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 2);
    const up = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3);
    const f = (a: number) => tf.tidy(() => tf.sum(tf.mul(rezero(s, b, a), up)).dataSync()[0] as number);
    const eps = 1e-2; // f is linear in alpha: the central difference is exact up to float32 rounding
    const numeric = (f(eps) - f(-eps)) / (2 * eps);
    const alpha = tf.scalar(0);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(rezero(s, b, a), up)))(alpha);
    expectClose(g.dataSync(), [numeric], 1e-3, 0);
    tf.dispose([s, b, up, alpha, g]);
  });

  it('rejects bad arguments', () => {
    const s = tf.zeros([2, 3]);
    const b = tf.zeros([3, 2]);
    expect(() => rezero(s, b, 1)).toThrow(/rezero: shortcut and branch must have the same shape, got \[2, 3\] and \[3, 2\]/);
    expect(() => rezero([1] as never, s, 1)).toThrow(/rezero: shortcut must be a tf.Tensor, got \[1\]/);
    expect(() => rezero(s, 'x' as never, 1)).toThrow(/rezero: branch must be a tf.Tensor, got 'x'/);
    expect(() => rezero(s, s, Number.POSITIVE_INFINITY)).toThrow(/rezero: alpha must be a finite number, got Infinity/);
    const two = tf.tensor1d([1, 2]);
    expect(() => rezero(s, s, two)).toThrow(/rezero: alpha must be a number or a tf.Tensor with one element, got a float32 tf.Tensor of shape \[2\]/);
    tf.dispose([s, b, two]);
  });
});

describe('ReZero layer', () => {
  it('has one trainable scalar alpha, initialised to 0 or to initialAlpha', () => {
    const layer = new ReZero();
    const x = tf.input({ shape: [3] });
    layer.apply([x, x]);
    expect(layer.trainableWeights).toHaveLength(1);
    expect(layer.trainableWeights[0]?.shape).toEqual([]);
    expect(layer.countParams()).toBe(1);
    expect(Array.from((layer.getWeights()[0] as tf.Tensor).dataSync())).toEqual([0]);

    const other = new ReZero({ initialAlpha: 0.25 });
    other.apply([x, x]);
    expect(Array.from((other.getWeights()[0] as tf.Tensor).dataSync())).toEqual([0.25]);
    expect(other.getConfig().initialAlpha).toBe(0.25);
  });

  it('returns the shortcut at alpha 0 and shortcut + alpha * branch otherwise, without leaks', async () => {
    const layer = new ReZero({ initialAlpha: 0 });
    const s = tf.tensor2d(S, [2, 3]);
    const b = tf.tensor2d(B, [2, 3]);
    (layer.apply([s, b]) as tf.Tensor).dispose(); // builds the layer: its alpha is created before the count
    await expectNoLeak(() => {
      const y0 = layer.apply([s, b]) as tf.Tensor;
      expect(Array.from(y0.dataSync())).toEqual(S);
      const a = tf.scalar(-1.5);
      layer.setWeights([a]);
      a.dispose();
      const y1 = layer.apply([s, b]) as tf.Tensor;
      expectClose(y1.dataSync(), S.map((v, i) => v - 1.5 * (B[i] as number)), 1e-6, 1e-7);
      tf.dispose([y0, y1]);
    });
    tf.dispose([s, b]);
    layer.dispose();
  });

  it('checks its inputs', () => {
    const x = tf.input({ shape: [4, 4, 2] });
    const y = tf.input({ shape: [4, 4, 3] });
    expect(() => new ReZero().apply([x, y])).toThrow(/ReZero: shortcut and branch must have the same shape, got \[null,4,4,2\] and \[null,4,4,3\]/);
    expect(() => new ReZero().apply(x)).toThrow(/ReZero: expects two inputs \[shortcut, branch\]/);
    expect(() => new ReZero({ initialAlpha: Number.NaN })).toThrow(/ReZero: initialAlpha must be a finite number, got NaN/);
  });

  it('rejects a misspelt option instead of silently starting alpha at 0 (issue 18), but takes tfjs layer arguments', () => {
    expect(() => new ReZero({ initial_alpha: 1 } as never)).toThrow(
      /ReZero: option names must be one of 'initialAlpha' or tfjs layer arguments such as 'name', got 'initial_alpha'\./,
    );
    expect(() => new ReZero({ InitialAlpha: 1 } as never)).toThrow(/ReZero: option names must be .*, got 'InitialAlpha'\./);
    expect(() => new ReZero({ alpha: 1 } as never)).toThrow(/ReZero: option names must be .*, got 'alpha'\./);
    expect(() => new ReZero(1 as never)).toThrow(/ReZero: the constructor argument must be an object with some of the keys 'initialAlpha' and tfjs layer arguments, got 1\./);
    const layer = new ReZero({ initialAlpha: 0.25, name: 'g', trainable: false, dtype: 'float32' });
    expect(layer.getConfig()).toMatchObject({ initialAlpha: 0.25, name: 'g', trainable: false });
    expect(() => new ReZero({ initialAlpha: Number.POSITIVE_INFINITY })).toThrow(/ReZero: initialAlpha must be a finite number, got Infinity\./);
  });

  it('is registered for serialisation under its class name', () => {
    const layer = new ReZero({ initialAlpha: 0.5, name: 'gate' });
    const entry = tf.serialization.SerializationMap.getMap().classNameMap['ReZero'];
    expect(entry).toBeDefined();
    const [cls, fromConfig] = entry as NonNullable<typeof entry>;
    const restored = fromConfig(cls, layer.getConfig()) as ReZero;
    expect(restored).toBeInstanceOf(ReZero);
    expect(restored.initialAlpha).toBe(0.5);
    expect(restored.name).toBe('gate');
  });
});
