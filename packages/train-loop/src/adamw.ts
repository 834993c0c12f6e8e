import * as tf from '@tensorflow/tfjs';
import { assertNumber, fail, isNil } from './validate';

/** Hyper-parameters of {@link AdamW}; the defaults are PyTorch's. */
export interface AdamWConfig {
  /** Learning rate. Default 1e-3. Change it between steps with `setLearningRate`. */
  learningRate?: number;
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Added to the bias-corrected root second moment. Default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay, applied to every parameter. Default 0.01. */
  weightDecay?: number;
}

/** A named tensor, as tfjs optimizers exchange them (tfjs-core's `NamedTensor`). */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** Moments of one parameter; `name` is the variable's name when first seen (for `getWeights`). */
interface Slot {
  name: string;
  m: tf.Variable;
  v: tf.Variable;
}

/**
 * Adam with decoupled weight decay, exactly as PyTorch's `torch.optim.AdamW` (amsgrad off):
 *
 * ```
 * t += 1
 * p ← p·(1 − lr·wd)
 * m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 * p ← p − lr/(1−β1^t) · m / (√v / √(1−β2^t) + ε)
 * ```
 *
 * The step count `t` is the optimizer's `iterations`. Moments are created on the first step, one pair per
 * variable, keyed by variable name. `getWeights`/`setWeights` save and restore `[t, m…, v…]` in the same
 * layout as tfjs's own Adam (so `model.save(…, {includeOptimizer: true})` works); restored moments bind to
 * variables in the order of the next `applyGradients` call, so they also fit a freshly built copy of the model.
 * Registered with `tf.serialization` as `'AdamW'`.
 */
export class AdamW extends tf.Optimizer {
  /** Name under which the class is registered for serialisation. */
  static get className(): string {
    // A getter, as tfjs's own optimizers do, so the class stays tree-shakeable.
    return 'AdamW';
  }

  protected learningRate: number;
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly epsilon: number;
  protected readonly weightDecay: number;
  private slots = new Map<string, Slot>();
  /** Moments restored by `setWeights`, waiting for the variables of the next step. */
  private pending: Array<{ name: string; m: tf.Variable; v: tf.Variable }> = [];

  /** @param config Hyper-parameters; PyTorch's defaults when omitted. */
  constructor({ learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.01 }: AdamWConfig = {}) {
    super();
    const fn = 'AdamW';
    assertNumber(fn, 'learningRate', learningRate, { min: 0 });
    assertNumber(fn, 'beta1', beta1, { min: 0, max: 1, maxExclusive: true });
    assertNumber(fn, 'beta2', beta2, { min: 0, max: 1, maxExclusive: true });
    assertNumber(fn, 'epsilon', epsilon, { min: 0 });
    assertNumber(fn, 'weightDecay', weightDecay, { min: 0 });
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /** The learning rate used by the next step. */
  getLearningRate(): number {
    return this.learningRate;
  }

  /** Sets the learning rate used from the next step on (schedules call this between steps). */
  setLearningRate(learningRate: number): void {
    assertNumber('AdamW.setLearningRate', 'learningRate', learningRate, { min: 0 });
    this.learningRate = learningRate;
  }

  /** Binds (or creates) the moments of a variable. */
  private slotFor(name: string, value: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (slot) return slot;
    const restored = this.pending.shift();
    if (restored) {
      if (!tf.util.arraysEqual(restored.m.shape, value.shape)) {
        fail('AdamW.applyGradients', `the restored state '${restored.name}'`, restored.m, `shaped like variable '${name}' [${value.shape.join(', ')}]`);
      }
      slot = { name, m: restored.m, v: restored.v };
    } else {
      slot = { name, m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) };
    }
    this.slots.set(name, slot);
    return slot;
  }

  /**
   * One AdamW step on the given gradients (a name → gradient map, or `[{name, tensor}]` as `minimize`
   * passes them). Variables whose gradient is missing are left alone, weight decay included, as in PyTorch.
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: Array<[string, tf.Tensor | undefined]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const t = this.iterations + 1;
    const lr = this.learningRate;
    // Scalars in float64 on the JS side, as PyTorch computes them in Python floats.
    const stepSize = lr / (1 - this.beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const decay = 1 - lr * this.weightDecay;
    tf.tidy(() => {
      for (const [name, grad] of entries) {
        const value = tf.engine().registeredVariables[name];
        if (value === undefined) fail('AdamW.applyGradients', 'variableGradients', name, 'names of registered variables');
        const slot = this.slotFor(name, value);
        if (isNil(grad)) continue;
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        slot.m.assign(m);
        slot.v.assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), bias2Sqrt), this.epsilon);
        value.assign(tf.sub(tf.mul(value, decay), tf.mul(tf.div(m, denom), stepSize)));
      }
    });
    this.incrementIterations();
  }

  /** Disposes the moment variables. */
  override dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    for (const s of this.pending) tf.dispose([s.m, s.v]);
    this.slots.clear();
    this.pending = [];
    super.dispose();
  }

  /** `[iterations, m…, v…]`, named `iter`, `<variable>/m`, `<variable>/v` (tfjs Adam's layout). */
  override async getWeights(): Promise<NamedTensor[]> {
    const slots = [...this.slots.values(), ...this.pending];
    return [
      await this.saveIterations(),
      ...slots.map((s) => ({ name: `${s.name}/m`, tensor: s.m })),
      ...slots.map((s) => ({ name: `${s.name}/v`, tensor: s.v })),
    ];
  }

  /** Restores what `getWeights` returned; the moments bind to variables at the next step, in order. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (!Array.isArray(weightValues) || weightValues.length === 0 || weightValues.length % 2 !== 1) {
      fail('AdamW.setWeights', 'weightValues', weightValues, 'the array [iter, m…, v…] returned by getWeights()');
    }
    const rest = await this.extractIterations(weightValues);
    const n = rest.length / 2;
    for (let i = 0; i < n; i++) {
      const m = rest[i] as NamedTensor;
      const v = rest[i + n] as NamedTensor;
      if (!tf.util.arraysEqual(m.tensor.shape, v.tensor.shape)) {
        fail('AdamW.setWeights', `weightValues[${i + 1 + n}]`, v.tensor, `shaped like weightValues[${i + 1}] [${m.tensor.shape.join(', ')}]`);
      }
    }
    // Copy first, then free the old moments: `weightValues` may be this optimizer's own `getWeights()`.
    const restored = Array.from({ length: n }, (_, i) => {
      const m = rest[i] as NamedTensor;
      const v = rest[i + n] as NamedTensor;
      return {
        name: m.name.replace(/\/m$/, ''),
        m: tf.tidy(() => tf.cast(m.tensor, 'float32').variable(false)),
        v: tf.tidy(() => tf.cast(v.tensor, 'float32').variable(false)),
      };
    });
    for (const s of this.slots.values()) tf.dispose([s.m, s.v]);
    for (const s of this.pending) tf.dispose([s.m, s.v]);
    this.slots.clear();
    this.pending = restored;
  }

  /** The hyper-parameters (the current learning rate included). */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
    };
  }

  /** Builds an AdamW from `getConfig()` output. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as AdamWConfig);
  }
}

tf.serialization.registerClass(AdamW);
