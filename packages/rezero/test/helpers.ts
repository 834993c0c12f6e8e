import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

/** Nested number arrays as stored in the JSON fixtures. */
export type Nested = number | Nested[];

/** One block case of the PyTorch fixtures (see test/fixtures/make_fixtures.py). */
export interface BlockCase {
  inChannels?: number;
  inUnits?: number;
  channels?: number;
  units?: number;
  kernelSize?: number;
  stride?: number;
  expansion?: number;
  activation: string;
  rezero: boolean;
  alpha: number | null;
  downsample?: string;
  input_shape: number[];
  input: Nested;
  weights: Record<string, Nested[]>;
  output_shape: number[];
  output: Nested;
  upstream: Nested;
  grads: { input: Nested; alpha: number | null; layers: Record<string, Nested[]> };
  running: Record<string, { mean: number[]; var: number[] }>;
}

/** Reads `test/fixtures/<name>.json` and returns its `name` entry. */
export function loadFixture<T>(name: string): T {
  const file = path.join(__dirname, 'fixtures', `${name}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, T>)[name] as T;
}

/** Flattens nested arrays. */
export function flat(values: Nested): number[] {
  return Array.isArray(values) ? values.flatMap((v) => flat(v)) : [values];
}

/**
 * Expects `actual` to match `expected` elementwise within `rtol * |expected| + atol * max|expected|`
 * (float32 results against float64 PyTorch references).
 */
export function expectClose(actual: ArrayLike<number>, expected: Nested | ArrayLike<number>, rtol = 1e-4, atol = 1e-4): void {
  const want = Array.isArray(expected) ? flat(expected as Nested) : Array.from(expected as ArrayLike<number>);
  const got = Array.from(actual);
  expect(got.length).toBe(want.length);
  const scale = Math.max(1e-12, ...want.map((v) => Math.abs(v)));
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs((got[i] as number) - (want[i] as number)) - (rtol * Math.abs(want[i] as number) + atol * scale);
    // A NaN (or infinite) result must fail: `NaN > worst` is false.
    const excess = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
    if (excess > worst) {
      worst = excess;
      worstAt = i;
    }
  }
  if (worstAt >= 0) {
    throw new Error(`mismatch at ${worstAt}: got ${got[worstAt]}, expected ${want[worstAt]} (scale ${scale})`);
  }
}

/**
 * Loads fixture weights into the layers `${prefix}_${suffix}` (just `suffix` when the prefix is empty),
 * in place through the layer variables.
 * BatchNorm layers get the fixture's gamma and beta and keep their fresh moving statistics (0 and 1, as PyTorch's).
 */
export function setFixtureWeights(model: tf.LayersModel, prefix: string, weights: Record<string, Nested[]>): void {
  for (const [suffix, values] of Object.entries(weights)) {
    const layer = model.getLayer(prefix === '' ? suffix : `${prefix}_${suffix}`);
    values.forEach((v, i) => {
      const t = tf.tensor(v as number[]);
      (layer.weights[i] as (typeof layer.weights)[number]).write(t);
      t.dispose();
    });
  }
}

/** Sets the `alpha` of the ReZero layer `${prefix}_rezero`. */
export function setAlpha(model: tf.LayersModel, prefix: string, alpha: number): void {
  const value = tf.scalar(alpha);
  (model.getLayer(`${prefix}_rezero`).weights[0] as tf.layers.Layer['weights'][number]).write(value);
  value.dispose();
}

/** The tf.Variable behind a layer weight. */
export function variableOf(model: tf.LayersModel, layerName: string, index: number): tf.Variable {
  const weight = model.getLayer(layerName).trainableWeights[index];
  if (weight === undefined) throw new Error(`no trainable weight ${index} in ${layerName}`);
  return weight.read() as tf.Variable;
}

/** Number of values the BatchNorm layer `name` normalises per channel for a batch of `batch`. */
export function bnSampleCount(model: tf.LayersModel, name: string, batch: number): number {
  const input = model.getLayer(name).input as tf.SymbolicTensor;
  return input.shape.slice(1, -1).reduce<number>((n, d) => n * (d as number), batch);
}

/** Runs `fn` and expects the number of live tensors to be unchanged afterwards. */
export async function expectNoLeak(fn: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors).toBe(before);
}

/**
 * Checks a one-block model (layers named `${prefix}_...`) against a PyTorch case: the training-mode
 * output, the BatchNorm moving statistics after that one pass, and the gradients of
 * `sum(output * upstream)` with respect to the input, every weight and alpha.
 */
export function checkBlockCase(model: tf.LayersModel, prefix: string, c: BlockCase): void {
  setFixtureWeights(model, prefix, c.weights);
  if (c.rezero) setAlpha(model, prefix, c.alpha ?? 0);
  const x = tf.tensor(c.input as number[]);
  const upstream = tf.tensor(c.upstream as number[]);
  const batch = c.input_shape[0] as number;

  const y = model.apply(x, { training: true }) as tf.Tensor;
  expect(y.shape).toEqual(c.output_shape);
  expectClose(y.dataSync(), c.output);
  y.dispose();

  for (const [bn, stats] of Object.entries(c.running)) {
    const [, , mean, variance] = model.getLayer(`${prefix}_${bn}`).getWeights() as tf.Tensor[];
    expectClose((mean as tf.Tensor).dataSync(), stats.mean);
    // PyTorch feeds the unbiased batch variance s2*n/(n-1) into its running average, tfjs the biased s2.
    const n = bnSampleCount(model, `${prefix}_${bn}`, batch);
    expectClose((variance as tf.Tensor).dataSync(), stats.var.map((v) => 0.9 + ((v - 0.9) * (n - 1)) / n));
  }

  const loss = (input: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, upstream));
  const gx = tf.grad(loss)(x);
  expectClose(gx.dataSync(), c.grads.input);
  gx.dispose();

  const wanted: Array<{ variable: tf.Variable; expected: Nested }> = [];
  for (const [suffix, grads] of Object.entries(c.grads.layers)) {
    grads.forEach((g, i) => wanted.push({ variable: variableOf(model, `${prefix}_${suffix}`, i), expected: g }));
  }
  const alphaVar = c.rezero ? variableOf(model, `${prefix}_rezero`, 0) : null;
  const vars = [...wanted.map((w) => w.variable), ...(alphaVar ? [alphaVar] : [])];
  const { value, grads } = tf.variableGrads(() => loss(x), vars);
  for (const { variable, expected } of wanted) {
    expectClose((grads[variable.name] as tf.Tensor).dataSync(), expected);
  }
  if (alphaVar) expectClose((grads[alphaVar.name] as tf.Tensor).dataSync(), [c.grads.alpha as number]);
  tf.dispose([value, x, upstream]);
  tf.dispose(Object.values(grads));
}
