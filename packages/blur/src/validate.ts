import * as tf from '@tensorflow/tfjs';

/**
 * Argument checks shared by the ops, layers and models. Every message has the project-wide form
 * `${fn}: ${name} must be ${allowed}, got ${describe(value)}.`, so a user can fix the call without
 * reading the source.
 */

/** Throws the standard argument error. */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(fn, name, value, 'a positive integer (1, 2, 3, ...)');
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositiveNumber(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(fn, name, value, 'a finite number > 0');
}

/** Throws unless `value` is an odd integer >= 1 (a window with a centre cell). */
export function assertOddPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value % 2 === 0) {
    fail(fn, name, value, 'an odd positive integer (1, 3, 5, ...)');
  }
}

/** Throws unless `value` is a finite number >= 0. */
export function assertNonNegativeNumber(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(fn, name, value, 'a finite number >= 0');
}

/** Throws unless `value` is `true` or `false`. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(fn, name, value, `one of ${quoteAll(allowed)}`);
}

/** Throws unless `value` is undefined or a non-empty string. */
export function assertOptionalName(fn: string, name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) fail(fn, name, value, 'a non-empty string or undefined');
}

/** The largest seed: seeds are uint32, as the seed generator's state words. */
export const MAX_SEED = 0xffffffff;

/** Throws unless `value` is undefined or an integer seed in [0, 2^32 - 1]. */
export function assertOptionalSeed(fn: string, name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SEED) {
    fail(fn, name, value, `an integer in [0, ${MAX_SEED}] or undefined`);
  }
}

/** Throws unless `x` is a float32 tensor whose rank is in `ranks`; `layout` spells the allowed shapes. */
export function assertFloatTensor(fn: string, x: unknown, ranks: readonly number[], layout: string): asserts x is tf.Tensor {
  const ok = x instanceof tf.Tensor && ranks.includes(x.rank) && x.dtype === 'float32';
  if (!ok) fail(fn, 'x', x, `a float32 tf.Tensor of shape ${layout} (cast other dtypes with tf.cast(x, 'float32'))`);
}

/**
 * Throws unless `options` is `undefined` or a plain object whose keys are all in `allowed`: a
 * misspelt option (`strides` for `stride`) or a bare number (`maxBlurPool2d(x, 3)`) would
 * otherwise be ignored and the defaults used without a word.
 */
export function assertOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || options instanceof tf.Tensor) {
    fail(fn, 'options', options, `an object with some of the keys ${quoteAll(allowed)}`);
  }
  const unknown = Object.keys(options).find((key) => !allowed.includes(key));
  if (unknown !== undefined) fail(fn, 'option names', unknown, `one of ${quoteAll(allowed)}`);
}

/** The base-layer arguments tfjs itself takes (and writes into a saved config); never mistaken for a misspelling. */
const TFJS_LAYER_ARGS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'];

/**
 * Layer form of {@link assertOptions}: layer arguments also carry tfjs's own keys (`name`,
 * `inputShape`, `dtype`, and whatever a saved config holds), so only near misses of the layer's
 * options are rejected: the same name in another case or with underscores or a plural `s`
 * (`strides`, `kernel_size`, `Padding`), or a part of one (`kernel` for `kernelSize`).
 */
export function assertNoMisspeltOptions(fn: string, args: unknown, options: readonly string[]): void {
  if (args === undefined) return;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    fail(fn, 'the constructor argument', args, `an object with some of the keys ${quoteAll(options)} and tfjs layer arguments`);
  }
  for (const key of Object.keys(args)) {
    if (options.includes(key) || TFJS_LAYER_ARGS.includes(key)) continue;
    if (options.some((option) => isNearMiss(key, option))) {
      fail(fn, 'option names', key, `one of ${quoteAll(options)} or tfjs layer arguments such as 'name'`);
    }
  }
}

/** True when `key` looks like a misspelling of `option`. */
function isNearMiss(key: string, option: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '').replace(/s$/, '');
  const k = norm(key);
  const o = norm(option);
  return k === o || (k.length >= 4 && (o.includes(k) || k.includes(o)));
}

/** `'a', 'b', 'c'`. */
function quoteAll(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** Longest array and deepest nesting {@link describe} writes out in full. */
const DESCRIBE_ITEMS = 8;
const DESCRIBE_DEPTH = 3;

/**
 * A short, readable rendering of any value for error messages. Numbers print as JavaScript
 * prints them (`NaN`, `Infinity`, `-Infinity`), where JSON would write `null`.
 */
export function describe(value: unknown, depth = 0): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value instanceof tf.SymbolicTensor) return `a SymbolicTensor of shape [${value.shape.map(String).join(', ')}]`;
  if (value instanceof tf.Tensor) {
    const article = value.isDisposed ? 'a disposed' : /^[aeiou]/.test(value.dtype) ? 'an' : 'a';
    return `${article} ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  }
  if (depth >= DESCRIBE_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, DESCRIBE_ITEMS).map((v) => describe(v, depth + 1));
    if (value.length > DESCRIBE_ITEMS) items.push(`… (${value.length} items)`);
    return `[${items.join(', ')}]`;
  }
  // Class instances (a layer, a model, ...) by their class: their fields are huge or cyclic.
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto !== null && proto !== Object.prototype) return `an instance of ${proto.constructor?.name || 'an unnamed class'}`;
  const entries = Object.entries(value as object);
  const shown = entries.slice(0, DESCRIBE_ITEMS).map(([k, v]) => `${k}: ${describe(v, depth + 1)}`);
  if (entries.length > DESCRIBE_ITEMS) shown.push('…');
  return entries.length === 0 ? '{}' : `{ ${shown.join(', ')} }`;
}
