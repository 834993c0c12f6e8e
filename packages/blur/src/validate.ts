import * as tf from '@tensorflow/tfjs';

/**
 * Argument checks shared by the ops and layers. Every message names the function, the argument,
 * what it got and what is allowed, so a user can fix the call without reading the source.
 */

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${name} must be a positive integer (1, 2, 3, ...), got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositiveNumber(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${fn}: ${name} must be a finite number > 0, got ${describe(value)}.`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  fn: string,
  name: string,
  value: unknown,
  allowed: readonly T[],
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const list = allowed.map((a) => `'${a}'`).join(', ');
    throw new Error(`${fn}: ${name} must be one of ${list}, got ${describe(value)}.`);
  }
}

/** Throws unless `x` is a float32 tensor whose rank is in `ranks`; `layout` spells the allowed shapes. */
export function assertFloatTensor(fn: string, x: unknown, ranks: readonly number[], layout: string): asserts x is tf.Tensor {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`${fn}: x must be a tf.Tensor of shape ${layout}, got ${describe(x)}.`);
  }
  if (!ranks.includes(x.rank)) {
    throw new Error(`${fn}: x must have rank ${ranks.join(', ')} (${layout}), got rank ${x.rank} with shape [${x.shape.join(', ')}].`);
  }
  if (x.dtype !== 'float32') {
    throw new Error(`${fn}: x must have dtype 'float32', got '${x.dtype}' (cast it with tf.cast(x, 'float32')).`);
  }
}

/**
 * Throws unless `options` is `undefined` or a plain object whose keys are all in `allowed`: a
 * misspelt option (`strides` for `stride`) or a bare number (`maxBlurPool2d(x, 3)`) would
 * otherwise be ignored and the defaults used without a word.
 */
export function assertOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  const list = allowed.map((a) => `'${a}'`).join(', ');
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof tf.Tensor) {
    throw new Error(`${fn}: options must be an object with some of the keys ${list}, got ${describe(options)}.`);
  }
  const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new Error(`${fn}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; the options are ${list}.`);
  }
}

/**
 * Layer form of {@link assertOptions}: layer arguments also carry tfjs's own keys (`name`,
 * `inputShape`, `dtype`, and whatever a saved config holds), so only near misses of the layer's
 * options (`strides`, `kernel_size`, `pool_size`, `Padding`) are rejected.
 */
export function assertNoMisspeltOptions(fn: string, args: unknown, options: readonly string[]): void {
  if (args === undefined) return;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error(`${fn}: the constructor takes an object of options, got ${describe(args)}.`);
  }
  const norm = (key: string) => key.toLowerCase().replace(/_/g, '').replace(/s$/, '');
  for (const key of Object.keys(args)) {
    if (options.includes(key)) continue;
    const meant = options.find((o) => norm(o) === norm(key));
    if (meant !== undefined) {
      throw new Error(`${fn}: unknown option '${key}', did you mean '${meant}'? The options are ${options.map((o) => `'${o}'`).join(', ')}.`);
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
