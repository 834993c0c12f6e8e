import * as tf from '@tensorflow/tfjs';

/**
 * Argument checks at the public boundary. Every message names the function, the argument, what it
 * got and what is allowed, so a caller can fix the call without reading the source.
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

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${name} must be a positive integer (1, 2, 3, ...), got ${describe(value)}.`);
  }
}

/** Throws unless `value` is an odd integer >= 1 (even kernels cannot keep the size with symmetric padding). */
export function assertOddPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value % 2 === 0) {
    throw new Error(`${fn}: ${name} must be an odd positive integer (1, 3, 5, ...), got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a finite number. */
export function assertFiniteNumber(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${fn}: ${name} must be a finite number, got ${describe(value)}.`);
  }
}

/** Throws unless `value` is `true` or `false`. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${fn}: ${name} must be true or false, got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a tfjs activation name. */
export function assertActivation(fn: string, name: string, value: unknown): asserts value is Activation {
  if (typeof value !== 'string' || !(ACTIVATIONS as readonly string[]).includes(value)) {
    const list = ACTIVATIONS.map((a) => `'${a}'`).join(', ');
    throw new Error(`${fn}: ${name} must be a tfjs activation name, one of ${list}; got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a function or undefined. */
export function assertOptionalFunction(fn: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new Error(`${fn}: ${name} must be a function or undefined, got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a non-empty string or undefined. */
export function assertOptionalName(fn: string, name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new Error(`${fn}: ${name} must be a non-empty string or undefined, got ${describe(value)}.`);
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
    throw new Error(`${fn}: options must be an object${optional ? ' or undefined' : ''}, got ${describe(value)}.`);
  }
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `${fn}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; ` +
        `the options are ${known.map((k) => `'${k}'`).join(', ')}.`,
    );
  }
}

/**
 * Throws unless `x` is a `tf.SymbolicTensor` of the given rank whose last (channel/feature) axis is
 * known; returns that size.
 */
export function assertSymbolicInput(fn: string, x: unknown, rank: number, layout: string): number {
  if (!(x instanceof tf.SymbolicTensor)) {
    throw new Error(
      `${fn}: input must be a tf.SymbolicTensor of shape ${layout} (from tf.input or a layer's apply), got ${describe(x)}.`,
    );
  }
  if (x.shape.length !== rank) {
    throw new Error(`${fn}: input must have rank ${rank} (${layout}), got shape [${shapeText(x.shape)}].`);
  }
  const last = x.shape[rank - 1];
  if (typeof last !== 'number') {
    throw new Error(`${fn}: the last axis of input must have a known size (${layout}), got shape [${shapeText(x.shape)}].`);
  }
  return last;
}

/** `[null, 8, 8, 3]` written out, with `null` for unknown sizes. */
export function shapeText(shape: readonly (number | null)[]): string {
  return shape.map((n) => (n === null ? 'null' : String(n))).join(', ');
}

/** A short, readable rendering of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  // JSON would print NaN and ±Infinity as `null`.
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (value instanceof tf.SymbolicTensor) return `a SymbolicTensor of shape [${shapeText(value.shape)}]`;
  if (value instanceof tf.Tensor) return `a ${value.dtype} tf.Tensor of shape [${value.shape.join(', ')}]`;
  // Class instances (a layer, a model, ...) by their class: their JSON is huge or cyclic.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto !== null && proto !== Object.prototype) return `an instance of ${proto.constructor?.name || 'an unnamed class'}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
