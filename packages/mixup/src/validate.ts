import * as tf from '@tensorflow/tfjs';
import type { MixupTargets } from './types';

/**
 * Argument checks for the public functions. Every message names the function, the argument,
 * what it got and what is allowed, so a user can fix the call without reading the source.
 */

/** Readable description of any value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (value instanceof tf.Tensor) return `${value.dtype === 'int32' ? 'an' : 'a'} ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'number') return String(value);
  try {
    // Tensors inside objects (e.g. MixUp targets) as their dtype and shape, not their internals.
    const replacer = (_key: string, v: unknown): unknown => (v instanceof tf.Tensor ? `<${v.dtype} tensor [${v.shape.join(', ')}]>` : v);
    return JSON.stringify(value, replacer) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws the project's standard argument error: `${fn}: ${name} must be ${allowed}, got ${describe(value)}.` */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `alpha` is a finite number >= 0 (0 turns mixing off). */
export function assertAlpha(fn: string, alpha: unknown, name = 'alpha'): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    fail(fn, name, alpha, 'a finite number >= 0 (0 disables mixing; 0.1-0.4 is usual)');
  }
}

/** Throws unless `value` is a number in [0, 1] (a probability), or in [0, 1) when `open`. */
export function assertProbability(fn: string, name: string, value: unknown, open = false): asserts value is number {
  if (typeof value !== 'number' || !(value >= 0 && (open ? value < 1 : value <= 1))) fail(fn, name, value, `a number in [0, 1${open ? ')' : ']'}`);
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}

/**
 * Throws unless `options` is undefined or an object whose keys are all in `allowed`: a misspelt option
 * (`switch_prob`, `cutMixAlpha`) would otherwise be ignored without a word.
 */
export function assertKnownOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) fail(fn, 'options', options, 'an object');
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) fail(fn, 'option names', key, `some of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(fn, name, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(fn, name, value, 'a positive integer');
}

/** Throws unless `value` is a number in [0, 1). */
export function assertUnitInterval(fn: string, name: string, value: unknown): asserts value is number {
  assertProbability(fn, name, value, true);
}

/** Throws unless `seed` is an integer in [0, 2^32 - 1]. */
export function assertSeed(fn: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(fn, 'seed', seed, 'an integer in [0, 4294967295]');
}

/** Throws unless `x` is a float32 tensor with at least one sample on its batch axis (rank in `ranks`, or >= 1 when omitted). */
export function assertInputs(fn: string, name: string, x: unknown, layout: string, ranks?: readonly number[]): asserts x is tf.Tensor {
  const ok = x instanceof tf.Tensor && (ranks ? ranks.includes(x.rank) : x.rank > 0) && x.dtype === 'float32' && x.shape[0] !== 0;
  if (!ok) fail(fn, name, x, `a float32 tensor ${layout}${ranks ? ` (rank ${ranks.join(' or ')})` : ''} with at least one sample`);
}

/**
 * Throws unless `y` is int32 class indices `[B]` or float32 soft targets `[B, K]`, with `B = batchSize`
 * when given. Float `[B]` labels are refused: they are almost always class indices in the wrong dtype.
 */
export function assertLabels(fn: string, name: string, y: unknown, batchSize?: number): asserts y is tf.Tensor {
  const b = batchSize ?? 'B';
  const ok = y instanceof tf.Tensor && ((y.rank === 1 && y.dtype === 'int32') || (y.rank === 2 && y.dtype === 'float32')) && (batchSize === undefined || y.shape[0] === batchSize);
  if (!ok) {
    const hint = isMixupTargets(y) ? ' (is the batch mixed twice?)' : y instanceof tf.Tensor && y.rank === 1 && y.dtype === 'float32' ? " (class indices are int32: tf.cast(y, 'int32'))" : '';
    fail(fn, name, y, `int32 labels [${b}] or float32 soft targets [${b}, K]${hint}`);
  }
}

/**
 * Throws unless int32 class indices `y` all lie in `[0, k)`. A one-hot of an out-of-range index is a zero row:
 * zero loss and never a hit, silently, where PyTorch raises. Reads the B labels back from the device.
 */
export function assertClassIndices(fn: string, name: string, y: tf.Tensor, k: number): void {
  if (y.dtype !== 'int32') return;
  const labels = y.dataSync();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!(c >= 0 && c < k)) fail(fn, `${name}[${i}]`, c, `a class index in [0, ${k - 1}]`);
  }
}

/** True when `t` looks like MixUp targets `{yi, yj, lambda}` (structural, the packages share no classes). */
export function isMixupTargets(t: unknown): t is MixupTargets {
  return typeof t === 'object' && t !== null && !(t instanceof tf.Tensor) && 'yi' in t && 'yj' in t && 'lambda' in t;
}

/** Throws unless `t` is well-formed MixUp targets for a batch of `batchSize` (when given). */
export function assertMixupTargets(fn: string, name: string, t: MixupTargets, batchSize?: number): void {
  assertLabels(fn, `${name}.yi`, t.yi, batchSize);
  const b = t.yi.shape[0] as number;
  assertLabels(fn, `${name}.yj`, t.yj, b);
  if (t.yi.dtype !== t.yj.dtype || t.yi.shape.join() !== t.yj.shape.join()) fail(fn, `${name}.yj`, t.yj, `shaped like ${name}.yi, ${describe(t.yi)}`);
  assertLambda(fn, t.lambda, b, `${name}.lambda`);
}

/** Throws unless `t` is a tensor or MixUp targets. */
export function assertTargets(fn: string, name: string, t: unknown): void {
  if (!(t instanceof tf.Tensor) && !isMixupTargets(t)) fail(fn, name, t, 'a tf.Tensor of labels or MixUp targets {yi, yj, lambda}');
}

/** Throws unless `permutation` holds each of `0..b−1` exactly once. */
export function assertPermutation(fn: string, permutation: unknown, b: number, name = 'permutation'): asserts permutation is ArrayLike<number> {
  const p = typeof permutation === 'object' && permutation !== null && typeof (permutation as ArrayLike<number>).length === 'number' ? Array.from(permutation as ArrayLike<number>) : permutation;
  const ok = Array.isArray(p) && p.length === b && p.every((v) => Number.isInteger(v) && v >= 0 && v < b) && new Set(p).size === b;
  if (!ok) fail(fn, name, p, `0..${b - 1} in some order, each once`);
}

/** Throws unless `lambda` is a number in [0, 1] or a float32 tensor `[b]`. */
export function assertLambda(fn: string, lambda: unknown, b: number, name = 'lambda'): asserts lambda is number | tf.Tensor1D {
  const ok = typeof lambda === 'number' ? lambda >= 0 && lambda <= 1 : lambda instanceof tf.Tensor && lambda.rank === 1 && lambda.shape[0] === b && lambda.dtype === 'float32';
  if (!ok) fail(fn, name, lambda, `a number in [0, 1] or a float32 tensor [${b}]`);
}
