import * as tf from '@tensorflow/tfjs';
import { createRng, manifoldMixupForward, mixupLoss, runSegments } from '../src/index';
import type { ManifoldMixupResult, MixupTargets, Segment } from '../src/index';
import { arangeLabels, expectClose, expectNoLeak, fixtures, flat, isPermutation, scriptedRng, seededTensor, untouchableRng, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeResult(r: ManifoldMixupResult): void {
  tf.dispose(r.predictions);
  if (r.targets instanceof tf.Tensor) {
    r.targets.dispose();
  } else {
    tf.dispose([r.targets.yi, r.targets.yj]);
    if (typeof r.targets.lambda !== 'number') r.targets.lambda.dispose();
  }
}

// Non-linear, elementwise segments: x², x³, x + 1. Mixing before or after a non-linear piece gives different
// answers, so the output reveals where the mix happened.
const powers: Segment[] = [(x) => x.square(), (x) => x.pow(3), (x) => x.add(1)];

/** The output of `powers` with the mix at `boundary`, computed per element in float64. */
function powersByHand(x: number[], rowSize: number, perm: number[], lam: number, boundary: number): number[] {
  const fs = [(v: number) => v * v, (v: number) => v ** 3, (v: number) => v + 1];
  const run = (v: number, from: number, to: number) => fs.slice(from, to).reduce((a, f) => f(a), v);
  return x.map((v, idx) => {
    const i = Math.floor(idx / rowSize);
    const partner = x[(perm[i] as number) * rowSize + (idx % rowSize)] as number;
    const mixed = lam * run(v, 0, boundary) + (1 - lam) * run(partner, 0, boundary);
    return run(mixed, boundary, 3);
  });
}

describe('manifoldMixupForward', () => {
  test('mixing every sample with itself equals the plain forward pass, wherever it mixes', () => {
    const xs = seededTensor([4, 3], 1);
    const ys = arangeLabels(4);
    const plain = runSegments(powers, xs);
    for (const u of [0.1, 0.5, 0.9]) {
      // Draws: the boundary, λ (one uniform, as α = 1), then Fisher–Yates uniforms that swap nothing (π = identity).
      const out = manifoldMixupForward(powers, xs, ys, { alpha: 1, rng: scriptedRng([u, 0.3, 0.99, 0.99, 0.99]) });
      expect(out.boundary).toBe(Math.floor(u * 3));
      expect((out.targets as MixupTargets).lambda).toBe(0.3);
      expect(values((out.targets as MixupTargets).yj)).toEqual([0, 1, 2, 3]);
      expectClose(values(out.predictions), values(plain), 1e-6, 1e-6);
      disposeResult(out);
    }
    tf.dispose([xs, ys, plain]);
  });

  test('mixes at the chosen boundary (checked by hand with non-linear segments), with one π and λ for inputs and targets', () => {
    const xs = seededTensor([5, 2], 2);
    const ys = arangeLabels(5);
    const rng = createRng(31);
    const seen = new Set<number>();
    for (let k = 0; k < 12; k++) {
      const out = manifoldMixupForward(powers, xs, ys, { rng, alpha: 2 });
      const t = out.targets as MixupTargets;
      const perm = values(t.yj);
      const lam = t.lambda as number;
      expect(isPermutation(perm, 5)).toBe(true);
      expect(values(t.yi)).toEqual([0, 1, 2, 3, 4]);
      const b = out.boundary as number;
      seen.add(b);
      const got = values(out.predictions);
      expectClose(got, powersByHand(values(xs), 2, perm, lam, b), 1e-4, 1e-5);
      // …and not what mixing at another boundary would give (unless π or λ make them coincide).
      if (perm.some((p, i) => p !== i) && lam > 0.05 && lam < 0.95) {
        for (const other of [0, 1, 2].filter((o) => o !== b)) {
          expect(() => expectClose(got, powersByHand(values(xs), 2, perm, lam, other), 1e-4, 1e-5)).toThrow();
        }
      }
      disposeResult(out);
    }
    expect(seen).toEqual(new Set([0, 1, 2]));
    tf.dispose([xs, ys]);
  });

  test('the boundary is uniform over the candidates (chi-square) and respects `boundaries`', () => {
    const xs = seededTensor([2, 1], 3);
    const ys = arangeLabels(2);
    const rng = createRng(4);
    const counts = [0, 0, 0];
    const trials = 600;
    for (let k = 0; k < trials; k++) {
      const out = manifoldMixupForward(powers, xs, ys, { rng });
      counts[out.boundary as number]! += 1;
      disposeResult(out);
    }
    const chi2 = counts.reduce((a, c) => a + (c - trials / 3) ** 2 / (trials / 3), 0);
    expect(chi2).toBeLessThan(13.82); // 2 dof, 0.001 level
    for (let k = 0; k < 10; k++) {
      const out = manifoldMixupForward(powers, xs, ys, { rng, boundaries: [1, 2] });
      expect([1, 2]).toContain(out.boundary);
      disposeResult(out);
    }
    tf.dispose([xs, ys]);
  });

  test("'elem' mode mixes each sample with its own λ at the boundary", () => {
    const xs = seededTensor([4, 2], 5);
    const ys = arangeLabels(4);
    const out = manifoldMixupForward(powers, xs, ys, { mode: 'elem', boundaries: [1], rng: createRng(6) });
    const t = out.targets as MixupTargets;
    const lam = values(t.lambda as tf.Tensor);
    const perm = values(t.yj);
    const byHand = values(xs).map((_, idx) => {
      const i = Math.floor(idx / 2);
      return powersByHand(values(xs), 2, perm, lam[i] as number, 1)[idx] as number;
    });
    expectClose(values(out.predictions), byHand, 1e-4, 1e-5);
    disposeResult(out);
    tf.dispose([xs, ys]);
  });

  test('never mixes in evaluation: plain forward, plain labels, no draws', () => {
    const xs = seededTensor([3, 2], 7);
    const ys = arangeLabels(3);
    const out = manifoldMixupForward(powers, xs, ys, { training: false, rng: untouchableRng });
    expect(out.boundary).toBeNull();
    expect(out.targets).toBeInstanceOf(tf.Tensor);
    expect(values(out.targets as tf.Tensor)).toEqual([0, 1, 2]);
    const byHand = values(xs).map((v) => v ** 6 + 1);
    expectClose(values(out.predictions), byHand, 1e-5, 1e-6);
    disposeResult(out);
    const off = manifoldMixupForward(powers, xs, ys, { alpha: 0, rng: untouchableRng });
    expect(off.boundary).toBeNull();
    expect((off.targets as MixupTargets).lambda).toBe(1);
    disposeResult(off);
    tf.dispose([xs, ys]);
  });

  test('matches PyTorch: loss and gradients of a two-segment MLP mixed after the first segment', () => {
    const c = fixtures.manifold;
    const w1 = tf.variable(tf.tensor2d(c.W1));
    const b1 = tf.variable(tf.tensor1d(c.b1));
    const w2 = tf.variable(tf.tensor2d(c.W2));
    const segments: Segment[] = [(x) => tf.relu(x.matMul(w1).add(b1)), (h) => h.matMul(w2)];
    const x = tf.tensor2d(c.x);
    const y = tf.tensor1d(c.y, 'int32');
    // Draws: the boundary (one candidate), λ (one uniform, as α = 1), then Fisher–Yates uniforms giving π = [2, 0, 3, 1].
    const rng = () => scriptedRng([0, c.lam, 0.3, 0.5, 0.1]);
    const loss = mixupLoss();
    const probe = manifoldMixupForward(segments, x, y, { alpha: 1, boundaries: [c.boundary], rng: rng() });
    expect(values((probe.targets as MixupTargets).yj)).toEqual(c.perm.map((p) => c.y[p]));
    expectClose(values(probe.predictions), flat(c.logits), 1e-4, 1e-5);
    disposeResult(probe);
    const f = () => {
      const out = manifoldMixupForward(segments, x, y, { alpha: 1, boundaries: [c.boundary], rng: rng() });
      return loss(out.targets, out.predictions);
    };
    const { value, grads } = tf.variableGrads(f, [w1, b1, w2]);
    expectClose(values(value), [c.loss], 1e-5, 1e-6);
    expectClose(values(grads[w1.name]!), flat(c.gradW1), 1e-4, 1e-6);
    expectClose(values(grads[b1.name]!), flat(c.gradB1), 1e-4, 1e-6);
    expectClose(values(grads[w2.name]!), flat(c.gradW2), 1e-4, 1e-6);
    const gx = tf.grad((xx: tf.Tensor) => {
      const out = manifoldMixupForward(segments, xx, y, { alpha: 1, boundaries: [c.boundary], rng: rng() });
      return loss(out.targets, out.predictions);
    })(x);
    expectClose(values(gx), flat(c.gradX), 1e-4, 1e-6);
    tf.dispose([w1, b1, w2, x, y, value, gx, ...Object.values(grads)]);
  });

  test('LayersModel segments: training steps update the weights and leak nothing', async () => {
    const stem = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' })] });
    const head = tf.sequential({
      layers: [tf.layers.batchNormalization({ inputShape: [4] }), tf.layers.dense({ units: 3 })],
    });
    const segments = [stem, head];
    const xs = seededTensor([6, 3], 8);
    const ys = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    // Evaluation runs the models as they are: same as predict().
    const evalOut = manifoldMixupForward(segments, xs, ys, { training: false });
    const predicted = head.predict(stem.predict(xs) as tf.Tensor) as tf.Tensor;
    expectClose(values(evalOut.predictions), values(predicted), 1e-5, 1e-6);
    disposeResult(evalOut);
    tf.dispose(predicted);

    const optimizer = tf.train.sgd(0.05);
    const loss = mixupLoss();
    const rng = createRng(9);
    const step = () => {
      const value = optimizer.minimize(() => {
        const out = manifoldMixupForward(segments, xs, ys, { rng });
        return loss(out.targets, out.predictions);
      }, true) as tf.Scalar;
      const v = value.dataSync()[0] as number;
      value.dispose();
      return v;
    };
    const before = values(stem.getWeights()[0]!);
    step();
    await expectNoLeak(() => {
      for (let k = 0; k < 3; k++) expect(Number.isFinite(step())).toBe(true);
    });
    expect(values(stem.getWeights()[0]!)).not.toEqual(before);
    await expectNoLeak(() => runSegments(segments, xs).dispose());
    optimizer.dispose();
    stem.dispose();
    head.dispose();
    tf.dispose([xs, ys]);
  });

  test('an all-identity chain still returns tensors the caller may dispose', () => {
    const xs = seededTensor([2, 2], 10);
    const ys = arangeLabels(2);
    const out = manifoldMixupForward([(x) => x], xs, ys, { training: false });
    expect(out.predictions).not.toBe(xs);
    disposeResult(out);
    expect(xs.isDisposed).toBe(false);
    tf.dispose([xs, ys]);
  });

  test('runs the segments in training mode when training and in inference mode otherwise', () => {
    const flags: boolean[] = [];
    const seg: Segment = (x, training) => {
      flags.push(training);
      return x.mul(2);
    };
    const segments = [seg, seg, seg];
    const xs = seededTensor([3, 2], 12);
    const ys = arangeLabels(3);
    const run = (f: () => ManifoldMixupResult | tf.Tensor): boolean[] => {
      flags.length = 0;
      const out = f();
      if (out instanceof tf.Tensor) out.dispose();
      else disposeResult(out);
      return [...flags];
    };
    expect(run(() => manifoldMixupForward(segments, xs, ys, { rng: createRng(1) }))).toEqual([true, true, true]);
    expect(run(() => manifoldMixupForward(segments, xs, ys, { mode: 'elem', rng: createRng(2) }))).toEqual([true, true, true]);
    expect(run(() => manifoldMixupForward(segments, xs, ys, { alpha: 0, rng: untouchableRng }))).toEqual([true, true, true]);
    expect(run(() => manifoldMixupForward(segments, xs, ys, { training: false, rng: untouchableRng }))).toEqual([false, false, false]);
    expect(run(() => runSegments(segments, xs))).toEqual([false, false, false]);
    expect(run(() => runSegments(segments, xs, true))).toEqual([true, true, true]);
    tf.dispose([xs, ys]);
  });

  test('a failing segment leaks nothing, even with per-sample λ, and a changed batch size is reported', async () => {
    const xs = seededTensor([2, 2], 13);
    const ys = arangeLabels(2);
    const dropsRows: Segment[] = [(x) => x.slice([0, 0], [1, -1]), (x) => x];
    const badReturn: Segment[] = [(x) => x.square(), () => 'oops' as unknown as tf.Tensor];
    await expectNoLeak(() => {
      expect(() => manifoldMixupForward(dropsRows, xs, ys, { mode: 'elem', boundaries: [1], rng: createRng(1) })).toThrow(
        /manifoldMixupForward: the hidden state at boundary 1 must be \[2, \.\.\.\] \(the batch kept\), got a float32 tensor of shape \[1, 2\]\./,
      );
      expect(() => manifoldMixupForward(badReturn, xs, ys, { mode: 'elem', boundaries: [1], rng: createRng(1) })).toThrow(
        /manifoldMixupForward: segment 1's output must be one tf.Tensor, got 'oops'\./,
      );
    });
    tf.dispose([xs, ys]);
  });

  test('reports bad segments, boundaries and inputs', () => {
    const xs = seededTensor([2, 2], 11);
    const ys = arangeLabels(2);
    expect(() => manifoldMixupForward([], xs, ys)).toThrow(/manifoldMixupForward: segments must be a non-empty array/);
    expect(() => manifoldMixupForward([42 as unknown as Segment], xs, ys)).toThrow(/manifoldMixupForward: segments\[0\] must be a tf.LayersModel, tf.layers.Layer or \(x, training\) => Tensor, got 42\./);
    expect(() => manifoldMixupForward(powers, xs, ys, { boundaries: [3] })).toThrow(
      /manifoldMixupForward: boundaries must be a non-empty array of integers in \[0, 2\] \(0 = the input\), got \[3\]/,
    );
    expect(() => manifoldMixupForward(powers, xs, ys, { alpha: -1 })).toThrow(/manifoldMixupForward: alpha must be a finite number >= 0/);
    const three = arangeLabels(3);
    expect(() => manifoldMixupForward(powers, xs, three)).toThrow(/manifoldMixupForward: ys must be int32 labels \[2\] or float32 soft targets \[2, K\], got an int32 tensor of shape \[3\]\./);
    expect(() => manifoldMixupForward([() => [xs] as unknown as tf.Tensor], xs, ys, { boundaries: [0] })).toThrow(
      /manifoldMixupForward: segment 0's output must be one tf.Tensor/,
    );
    expect(() => manifoldMixupForward(powers, xs, ys, { training: 'yes' as unknown as boolean })).toThrow(/manifoldMixupForward: training must be true or false, got 'yes'/);
    expect(() => manifoldMixupForward(powers, xs, ys, { rng: scriptedRng([2]) })).toThrow(/manifoldMixupForward: rng\.random\(\) must be a number in \[0, 1\), got 2\./);
    expect(() => runSegments([() => 1 as unknown as tf.Tensor], xs)).toThrow(/runSegments: segment 0's output must be one tf.Tensor, got 1\./);
    expect(() => runSegments(powers, [[1, 2]] as unknown as tf.Tensor)).toThrow(/runSegments: xs must be a tf.Tensor \[B, \.\.\.\], got \[\[1,2\]\]/);
    expect(() => runSegments(powers, xs, 1 as unknown as boolean)).toThrow(/runSegments: training must be true or false, got 1/);
    tf.dispose([xs, ys, three]);
  });
});
