/**
 * Argument checks for the public boundary: every failure is an `Error` whose message names the
 * function, the argument, what it got and what is allowed.
 */
import * as tf from '@tensorflow/tfjs';

/** True for `null` and `undefined`. */
export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** A short, human-readable description of any value for error messages. */
export function describe(value: unknown): string {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) return 'a disposed tensor';
    return `${/^[aeiou]/.test(value.dtype) ? 'an' : 'a'} ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** Throws the standard argument error. */
export function fail(fn: string, arg: string, got: unknown, allowed: string): never {
  throw new Error(`${fn}: ${arg} must be ${allowed}, got ${describe(got)}`);
}

interface NumberRule {
  min?: number;
  max?: number;
  /** Exclude `min` itself. */
  minExclusive?: boolean;
  /** Exclude `max` itself. */
  maxExclusive?: boolean;
  integer?: boolean;
}

/** Checks a finite number against bounds; returns it for chaining. */
export function checkNumber(fn: string, arg: string, value: unknown, rule: NumberRule = {}): number {
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = rule;
  const parts: string[] = [integer ? 'an integer' : 'a finite number'];
  if (min !== undefined) parts.push(`${minExclusive ? '>' : '>='} ${min}`);
  if (max !== undefined) parts.push(`${maxExclusive ? '<' : '<='} ${max}`);
  const allowed = parts.join(' ');
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, arg, value, allowed);
  if (integer && !Number.isInteger(value)) fail(fn, arg, value, allowed);
  if (min !== undefined && (minExclusive ? value <= min : value < min)) fail(fn, arg, value, allowed);
  if (max !== undefined && (maxExclusive ? value >= max : value > max)) fail(fn, arg, value, allowed);
  return value;
}

/** Checks that a value is one of a fixed set of strings. */
export function checkOneOf<T extends string>(fn: string, arg: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(fn, arg, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Checks that a value is a function. */
export function checkFunction(fn: string, arg: string, value: unknown): void {
  if (typeof value !== 'function') fail(fn, arg, value, 'a function');
}

/** Checks that a value is a boolean. */
export function checkBoolean(fn: string, arg: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(fn, arg, value, 'true or false');
  return value;
}

/** Checks that a value is a live (not disposed) tensor. */
export function checkTensor(fn: string, arg: string, value: unknown, allowed = 'a tensor'): tf.Tensor {
  if (!(value instanceof tf.Tensor) || value.isDisposed) fail(fn, arg, value, allowed);
  return value;
}

/**
 * Checks that int32 class indices all lie in `[0, k)`. Out-of-range labels would otherwise be silently
 * wrong (a one-hot of them is all zeros: zero loss, never a hit), where PyTorch raises. Reads the labels
 * back from the backend (B numbers).
 */
export function checkClassIndices(fn: string, arg: string, labels: tf.Tensor, k: number): void {
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const c = values[i] as number;
    if (!(c >= 0 && c < k)) throw new Error(`${fn}: ${arg} must hold class indices in [0, ${k - 1}], got ${c} at index ${i}`);
  }
}

/** Checks that a value can be iterated with `for await` (sync or async iterable). */
export function checkIterable(fn: string, arg: string, value: unknown): void {
  const v = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  if (isNil(v) || (typeof v[Symbol.iterator] !== 'function' && typeof v[Symbol.asyncIterator] !== 'function')) {
    fail(fn, arg, value, 'an Iterable or AsyncIterable of {xs, ys} batches');
  }
}
