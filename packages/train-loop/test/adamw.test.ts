import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { cosineAnnealing } from '../src/schedules';
import fixtures from './fixtures/reference.json';

interface AdamWCase {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  cosineT: number;
  p0: number[];
  grads: number[][];
  lrs_used: number[];
  params: number[][];
}
const cases = fixtures.adamw as AdamWCase[];

function expectClose(actual: ArrayLike<number>, expected: number[], atol = 2e-6, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i] as number;
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      throw new Error(`index ${i}: got ${a}, expected ${e}`);
    }
  });
}

/** A variable holding `values` (the initial tensor freed, so leak counts stay exact). */
function vec(values: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(values)));
}

function make(c: AdamWCase): AdamW {
  return new AdamW({ learningRate: c.lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('AdamW against torch.optim.AdamW + CosineAnnealingLR fixtures', () => {
  it.each(cases.map((c, i) => [i, c] as const))('case %i: trajectory via applyGradients with the cosine schedule', (_i, c) => {
    const start = tf.memory().numTensors;
    const opt = make(c);
    const sched = cosineAnnealing({ tMax: c.cosineT });
    const p = vec(c.p0);
    c.grads.forEach((g, t) => {
      opt.setLearningRate(sched(t, c.lr));
      expect(opt.getLearningRate()).toBeCloseTo(c.lrs_used[t] as number, 15);
      const grad = tf.tensor1d(g);
      opt.applyGradients({ [p.name]: grad });
      grad.dispose();
      expectClose(p.dataSync(), c.params[t] as number[]);
    });
    expect(opt.iterations).toBe(c.grads.length);
    opt.dispose();
    p.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('case 0 through minimize with a variable list (loss = sum(p * g), so the gradient is g)', () => {
    const c = cases[0] as AdamWCase;
    const opt = make(c);
    const sched = cosineAnnealing({ tMax: c.cosineT });
    const p = vec(c.p0);
    const start = tf.memory().numTensors;
    c.grads.forEach((g, t) => {
      opt.setLearningRate(sched(t, c.lr));
      const grad = tf.tensor1d(g);
      opt.minimize(() => tf.sum(tf.mul(p, grad)), false, [p]);
      grad.dispose();
      expectClose(p.dataSync(), c.params[t] as number[]);
      // Two moment variables appear on the first step, nothing after.
      expect(tf.memory().numTensors).toBe(start + 2);
    });
    opt.dispose();
    p.dispose();
  });

  it('saves and restores (m, v, step) mid-trajectory onto a fresh variable', async () => {
    const c = cases[1] as AdamWCase;
    const sched = cosineAnnealing({ tMax: c.cosineT });
    const opt = make(c);
    const p = vec(c.p0);
    for (let t = 0; t < 3; t++) {
      opt.setLearningRate(sched(t, c.lr));
      tf.tidy(() => opt.applyGradients({ [p.name]: tf.tensor1d(c.grads[t] as number[]) }));
    }
    const saved = await opt.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', `${p.name}/m`, `${p.name}/v`]);
    // A round trip through bytes, as checkpoints do.
    const { data, specs } = await tf.io.encodeWeights(saved);
    const decoded = tf.io.decodeWeights(data, specs);
    tf.dispose(saved[0]?.tensor);

    const opt2 = make(c);
    await opt2.setWeights(specs.map((s) => ({ name: s.name, tensor: decoded[s.name] as tf.Tensor })));
    tf.dispose(decoded);
    expect(opt2.iterations).toBe(3);
    const q = tf.tidy(() => tf.variable(p.clone())); // a different variable name, like a rebuilt model
    expect(q.name).not.toBe(p.name);
    for (let t = 3; t < c.grads.length; t++) {
      opt2.setLearningRate(sched(t, c.lr));
      tf.tidy(() => opt2.applyGradients([{ name: q.name, tensor: tf.tensor1d(c.grads[t] as number[]) }]));
      expectClose(q.dataSync(), c.params[t] as number[]);
    }
    [opt, opt2].forEach((o) => o.dispose());
    tf.dispose([p, q]);
  });

  it('restores its own getWeights() in place (copies before freeing the old moments)', async () => {
    const c = cases[1] as AdamWCase;
    const sched = cosineAnnealing({ tMax: c.cosineT });
    const opt = make(c);
    const p = vec(c.p0);
    const start = tf.memory().numTensors;
    for (let t = 0; t < c.grads.length; t++) {
      if (t === 2) {
        const own = await opt.getWeights();
        await opt.setWeights(own);
        tf.dispose(own.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
        expect(opt.iterations).toBe(2);
      }
      opt.setLearningRate(sched(t, c.lr));
      tf.tidy(() => opt.applyGradients({ [p.name]: tf.tensor1d(c.grads[t] as number[]) }));
      expectClose(p.dataSync(), c.params[t] as number[]);
    }
    // Only the two moment variables remain.
    expect(tf.memory().numTensors).toBe(start + 2);
    opt.dispose();
    p.dispose();
  });

  it('rejects restored moments whose shape does not fit the variable', async () => {
    const opt = new AdamW();
    await opt.setWeights([
      { name: 'iter', tensor: tf.scalar(1, 'int32') },
      { name: 'a/m', tensor: tf.zeros([3]) },
      { name: 'a/v', tensor: tf.zeros([3]) },
    ]);
    const p = tf.tidy(() => tf.variable(tf.zeros([2])));
    expect(() => tf.tidy(() => opt.applyGradients({ [p.name]: tf.ones([2]) }))).toThrow(/AdamW.applyGradients: .*'a'.* must be shaped like variable/);
    opt.dispose();
    p.dispose();
  });
});

describe('AdamW, independent math', () => {
  it('a zero gradient only applies the decoupled decay p·(1 − lr·wd)', () => {
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.5 });
    const p = vec([2, -4]);
    tf.tidy(() => opt.applyGradients({ [p.name]: tf.zeros([2]) }));
    expectClose(p.dataSync(), [2 * 0.95, -4 * 0.95], 1e-7);
    opt.dispose();
    p.dispose();
  });

  it('first step moves every coordinate by about lr·sign(g) (bias-corrected m/√v = ±1)', () => {
    const opt = new AdamW({ learningRate: 0.01, weightDecay: 0 });
    const p = vec([1, 1, 1]);
    tf.tidy(() => opt.applyGradients({ [p.name]: tf.tensor1d([3, -0.5, 1e-3]) }));
    // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε).
    expectClose(p.dataSync(), [0.99, 1.01, 1 - (0.01 * 1e-3) / (1e-3 + 1e-8)], 1e-6);
    opt.dispose();
    p.dispose();
  });

  it('leaves variables without a gradient untouched (no decay either)', () => {
    const opt = new AdamW({ learningRate: 0.1 });
    const a = vec([1, 2]);
    const b = vec([3, 4]);
    tf.tidy(() => opt.applyGradients([{ name: a.name, tensor: tf.ones([2]) }, { name: b.name, tensor: undefined as unknown as tf.Tensor }]));
    expect(Array.from(b.dataSync())).toEqual([3, 4]);
    expect(a.dataSync()[0]).not.toBe(1);
    opt.dispose();
    tf.dispose([a, b]);
  });
});

describe('AdamW serialisation', () => {
  it('has PyTorch defaults and round-trips its config through the registry', () => {
    const opt = new AdamW();
    expect(opt.getConfig()).toEqual({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
    expect(opt.getClassName()).toBe('AdamW');
    const entry = tf.serialization.SerializationMap.getMap().classNameMap.AdamW;
    expect(entry).toBeDefined();
    const [cls, fromConfig] = entry as NonNullable<typeof entry>;
    const copy = fromConfig(cls, { ...opt.getConfig(), learningRate: 0.05, weightDecay: 0.2 }) as AdamW;
    expect(copy).toBeInstanceOf(AdamW);
    expect(copy.getConfig()).toEqual({ learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.2 });
  });

  it('survives model.save({includeOptimizer: true}) and tf.loadLayersModel with its state', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    model.compile({ optimizer: new AdamW({ learningRate: 0.02, weightDecay: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor2d([1, 2, 3, -1, 0, 1], [2, 3]);
    const ys = tf.tensor1d([0, 1]);
    await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    expect(loaded.optimizer).toBeInstanceOf(AdamW);
    expect(loaded.optimizer.getConfig()).toEqual((model.optimizer as AdamW).getConfig());
    const [a, b] = [await model.optimizer.getWeights(), await loaded.optimizer.getWeights()];
    expect(b.map((w) => w.tensor.shape)).toEqual(a.map((w) => w.tensor.shape));
    a.forEach((w, i) => expect(Array.from(b[i]?.tensor.dataSync() ?? [])).toEqual(Array.from(w.tensor.dataSync())));
    tf.dispose([xs, ys]);
    model.optimizer.dispose();
    loaded.optimizer.dispose();
  });
});

describe('AdamW validation', () => {
  it.each([
    [{ learningRate: -1 }, /AdamW: learningRate must be a finite number >= 0, got -1/],
    [{ beta1: 1 }, /AdamW: beta1 must be a finite number >= 0 < 1, got 1/],
    [{ beta2: Number.NaN }, /AdamW: beta2 must be .*, got NaN/],
    [{ epsilon: -1e-8 }, /AdamW: epsilon must be a finite number >= 0, got -1e-8/],
    [{ weightDecay: '0.1' as unknown as number }, /AdamW: weightDecay must be a finite number >= 0, got "0.1"/],
  ])('rejects %p', (config, message) => {
    expect(() => new AdamW(config)).toThrow(message);
  });

  it('rejects a negative learning rate in setLearningRate', () => {
    expect(() => new AdamW().setLearningRate(-0.1)).toThrow(/AdamW.setLearningRate: learningRate must be a finite number >= 0, got -0.1/);
  });
});
