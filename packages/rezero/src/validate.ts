import * as tf from '@tensorflow/tfjs';

/**
 * Argument checks at the public boundary. Every message has the project-wide form
 * `${fn}: ${name} must be ${allowed}, got ${describe(value)}.`, so a caller can fix the call
 * without reading the source.
 */

/** The activation names tfjs layers understand (tfjs-layers' `ActivationIdentifier`). */
export const ACTIVATIONS = [
  'elu',
  'hardSigmoid',
  'linear',
  'relu',
  'relu6',
  'selu',
  'sigmoid',
  'softmax',
  'softplus',
  'softsign',
  'tanh',
  'swish',
  'mish',
  'gelu',
  'gelu_new',
] as const;

/** A tfjs activation name, e.g. `'relu'` or `'elu'`. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Throws the standard argument error. */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(fn, name, value, 'a positive integer (1, 2, 3, ...)');
}

/** Throws unless `value` is an integer >= 0. */
export function assertNonNegativeInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(fn, name, value, 'an integer >= 0');
}

/** Throws unless `value` is an odd integer >= 1 (even kernels cannot keep the size with symmetric padding). */
export function assertOddPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value % 2 === 0) {
    fail(fn, name, value, 'an odd positive integer (1, 3, 5, ...)');
  }
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, name, value, 'a finite number');
}

/** Throws unless `value` is `true` or `false`. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}

/** Throws unless `value` is a tfjs activation name. */
export function assertActivation(fn: string, name: string, value: unknown): asserts value is Activation {
  if (typeof value !== 'string' || !(ACTIVATIONS as readonly string[]).includes(value)) {
    fail(fn, name, value, `a tfjs activation name, one of ${quoteAll(ACTIVATIONS)}`);
  }
}

/** Throws unless `value` is a function or undefined. */
export function assertOptionalFunction(fn: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(fn, name, value, 'a function or undefined');
}

/** Throws unless `value` is a non-empty string or undefined. */
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

/**
 * Throws unless `value` is a plain options object (or undefined when `optional`) whose keys are all
 * in `known`: a misspelt option (e.g. the chapter's `ReZero` for `rezero`) would otherwise be
 * ignored silently and build a different network.
 */
export function assertOptions(fn: string, value: unknown, optional: boolean, known: readonly string[]): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(fn, 'options', value, `an object${optional ? ' or undefined' : ''} with some of the keys ${quoteAll(known)}`);
  }
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) fail(fn, 'option names', unknown, `one of ${quoteAll(known)}`);
}

/** The base-layer arguments tfjs itself takes (and writes into a saved config); never mistaken for a misspelling. */
const TFJS_LAYER_ARGS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType'];

/**
 * Layer form of {@link assertOptions}: layer arguments also carry tfjs's own keys (`name`,
 * `trainable`, and whatever a saved config holds), so only near misses of the layer's options are
 * rejected: the same name in another case or with underscores or a plural `s` (`initial_alpha`,
 * `InitialAlpha`), or a part of one (`alpha` for `initialAlpha`).
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

/**
 * Throws unless `x` is a `tf.SymbolicTensor` of the given rank whose last (channel/feature) axis is
 * known; returns that size.
 */
export function assertSymbolicInput(fn: string, x: unknown, rank: number, layout: string): number {
  const ok = x instanceof tf.SymbolicTensor && x.shape.length === rank && typeof x.shape[rank - 1] === 'number';
  if (!ok) fail(fn, 'input', x, `a tf.SymbolicTensor of shape ${layout} with a known last axis (from tf.input or a layer's apply)`);
  return (x as tf.SymbolicTensor).shape[rank - 1] as number;
}

/** Throws unless `shape` is `[H, W, C]` of positive integers (H and W may be null). */
export function assertImageShape(fn: string, shape: unknown): asserts shape is readonly (number | null)[] {
  const ok =
    Array.isArray(shape) &&
    shape.length === 3 &&
    shape.every((n, i) => (n === null && i < 2) || (typeof n === 'number' && Number.isInteger(n) && n >= 1));
  if (!ok) fail(fn, 'inputShape', shape, '[H, W, C] (channels-last, positive integers; H and W may be null)');
}

/** `[null, 8, 8, 3]` written out, with `null` for unknown sizes. */
export function shapeText(shape: readonly (number | null)[]): string {
  return shape.map((n) => (n === null ? 'null' : String(n))).join(', ');
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
  if (value instanceof tf.SymbolicTensor) return `a SymbolicTensor of shape [${shapeText(value.shape)}]`;
  if (value instanceof tf.Tensor) {
    const article = value.isDisposed ? 'a disposed' : /^[aeiou]/.test(value.dtype) ? 'an' : 'a';
    return `${article} ${value.dtype} tf.Tensor of shape [${value.shape.join(', ')}]`;
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
