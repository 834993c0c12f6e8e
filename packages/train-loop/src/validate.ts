/**
 * Argument checks for the public boundary (the project's `assert*` style): every failure is an `Error` reading
 * `${fn}: ${name} must be ${allowed}, got ${describe(value)}.`, naming the function, the argument, what is allowed
 * and what it got.
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
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Bounds for {@link assertNumber}. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclude `min` itself. */
  minExclusive?: boolean;
  /** Exclude `max` itself. */
  maxExclusive?: boolean;
  integer?: boolean;
}

/** Throws unless `value` is a finite number within the bounds. */
export function assertNumber(fn: string, name: string, value: unknown, rule: NumberRule = {}): asserts value is number {
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = rule;
  const parts: string[] = [integer ? 'an integer' : 'a finite number'];
  if (min !== undefined) parts.push(`${minExclusive ? '>' : '>='} ${min}`);
  if (max !== undefined) parts.push(`${maxExclusive ? '<' : '<='} ${max}`);
  const allowed = parts.join(' ');
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(fn, name, value, allowed);
  if (integer && !Number.isInteger(value)) fail(fn, name, value, allowed);
  if (min !== undefined && (minExclusive ? value <= min : value < min)) fail(fn, name, value, allowed);
  if (max !== undefined && (maxExclusive ? value >= max : value > max)) fail(fn, name, value, allowed);
}

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  assertNumber(fn, name, value, { min: 1, integer: true });
}

/** Throws unless `value` is one of a fixed set of strings. */
export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(fn, name, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/** Throws unless `value` is a function. */
export function assertFunction(fn: string, name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(fn, name, value, 'a function');
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}

/** Throws unless `value` is a live (not disposed) tensor. */
export function assertTensor(fn: string, name: string, value: unknown, allowed = 'a tensor'): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor) || value.isDisposed) fail(fn, name, value, allowed);
}

/** Throws unless `value` is a non-null object (not an array). */
export function assertObject(fn: string, name: string, value: unknown, allowed: string): asserts value is Record<string, unknown> {
  if (isNil(value) || typeof value !== 'object' || Array.isArray(value)) fail(fn, name, value, allowed);
}

/**
 * Throws unless int32 class indices all lie in `[0, k)`. Out-of-range labels would otherwise be silently
 * wrong (a one-hot of them is all zeros: zero loss, never a hit), where PyTorch raises. Reads the labels
 * back from the backend (B numbers).
 */
export function assertClassIndices(fn: string, name: string, labels: tf.Tensor, k: number): void {
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const c = values[i] as number;
    if (!(c >= 0 && c < k)) throw new Error(`${fn}: ${name} must hold class indices in [0, ${k - 1}], got ${c} at index ${i}.`);
  }
}

/** Throws unless `value` can be iterated with `for await` (sync or async iterable). */
export function assertIterable(fn: string, name: string, value: unknown): void {
  const v = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  if (isNil(v) || (typeof v[Symbol.iterator] !== 'function' && typeof v[Symbol.asyncIterator] !== 'function')) {
    fail(fn, name, value, 'an Iterable or AsyncIterable of {xs, ys} batches');
  }
}
