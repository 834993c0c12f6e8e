import * as tf from '@tensorflow/tfjs';
import type { MixupTargets } from './types';

/**
 * Argument checks for the public functions. Every message names the function, the argument,
 * what it got and what is allowed, so a user can fix the call without reading the source.
 */

/** Readable description of any value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
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
export function assertAlpha(fn: string, alpha: unknown): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    fail(fn, 'alpha', alpha, 'a finite number >= 0 (0 disables mixing; 0.1-0.4 is usual)');
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
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) fail(fn, name, value, 'a number in [0, 1)');
}

/** Throws unless `seed` is an integer in [0, 2^32 - 1]. */
export function assertSeed(fn: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(fn, 'seed', seed, 'an integer in [0, 4294967295]');
}

/** Throws unless `x` is a float32 tensor with a batch axis (rank in `ranks`, or >= 1 when omitted). */
export function assertInputs(fn: string, name: string, x: unknown, layout: string, ranks?: readonly number[]): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`${fn}: ${name} must be a tf.Tensor of shape ${layout}, got ${describe(x)}.`);
  }
  if (ranks ? !ranks.includes(x.rank) : x.rank < 1) {
    const allowed = ranks ? `rank ${ranks.join(' or ')}` : 'rank >= 1';
    throw new Error(`${fn}: ${name} must have ${allowed} (${layout}), got rank ${x.rank} with shape [${x.shape.join(', ')}].`);
  }
  if (x.dtype !== 'float32') {
    throw new Error(`${fn}: ${name} must have dtype 'float32', got '${x.dtype}' (cast it with tf.cast(x, 'float32')).`);
  }
  if (x.shape[0] === 0) {
    throw new Error(`${fn}: ${name} must hold at least one sample, got shape [${x.shape.join(', ')}].`);
  }
}

/**
 * Throws unless `y` is int32 class indices `[B]` or float32 soft targets `[B, K]`, with `B = batchSize`
 * when given. Float `[B]` labels are refused: they are almost always class indices in the wrong dtype.
 */
export function assertLabels(fn: string, name: string, y: unknown, batchSize?: number): asserts y is tf.Tensor {
  if (!(y instanceof tf.Tensor)) {
    const hint = isMixupTargets(y) ? ' (MixUp targets: is the batch mixed twice?)' : '';
    throw new Error(`${fn}: ${name} must be a tf.Tensor of int32 labels [B] or float32 soft targets [B, K], got ${describe(y)}${hint}.`);
  }
  const ok = (y.rank === 1 && y.dtype === 'int32') || (y.rank === 2 && y.dtype === 'float32');
  if (!ok) {
    const hint = y.rank === 1 && y.dtype === 'float32' ? " (class indices must be int32: tf.cast(y, 'int32'))" : '';
    throw new Error(`${fn}: ${name} must be int32 labels [B] or float32 soft targets [B, K], got ${describe(y)}${hint}.`);
  }
  if (batchSize !== undefined && y.shape[0] !== batchSize) {
    throw new Error(`${fn}: ${name} must have ${batchSize} rows to match the batch, got shape [${y.shape.join(', ')}].`);
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
    if (!(c >= 0 && c < k)) throw new Error(`${fn}: ${name} must hold class indices in [0, ${k - 1}], got ${c} at index ${i}.`);
  }
}

/** True when `t` looks like MixUp targets `{yi, yj, lambda}` (structural, the packages share no classes). */
export function isMixupTargets(t: unknown): t is MixupTargets {
  return typeof t === 'object' && t !== null && !(t instanceof tf.Tensor) && 'yi' in t && 'yj' in t && 'lambda' in t;
}

/** Throws unless `t` is well-formed MixUp targets for a batch of `batchSize` (when given). */
export function assertMixupTargets(fn: string, name: string, t: MixupTargets, batchSize?: number): void {
  assertLabels(fn, `${name}.yi`, t.yi, batchSize);
  assertLabels(fn, `${name}.yj`, t.yj, t.yi.shape[0]);
  if (t.yi.dtype !== t.yj.dtype || t.yi.shape.join(',') !== t.yj.shape.join(',')) {
    throw new Error(`${fn}: ${name}.yi and ${name}.yj must have the same dtype and shape, got ${describe(t.yi)} and ${describe(t.yj)}.`);
  }
  const lam: unknown = t.lambda;
  if (typeof lam === 'number') {
    if (!Number.isFinite(lam) || lam < 0 || lam > 1) {
      throw new Error(`${fn}: ${name}.lambda must be a number in [0, 1] or a float32 tensor [B], got ${lam}.`);
    }
  } else if (!(lam instanceof tf.Tensor) || lam.rank !== 1 || lam.dtype !== 'float32' || lam.shape[0] !== t.yi.shape[0]) {
    throw new Error(`${fn}: ${name}.lambda must be a number in [0, 1] or a float32 tensor [${t.yi.shape[0]}], got ${describe(lam)}.`);
  }
}

/** Throws unless `t` is a tensor or MixUp targets. */
export function assertTargets(fn: string, name: string, t: unknown): void {
  if (!(t instanceof tf.Tensor) && !isMixupTargets(t)) {
    throw new Error(`${fn}: ${name} must be a tf.Tensor of labels or MixUp targets {yi, yj, lambda}, got ${describe(t)}.`);
  }
}
