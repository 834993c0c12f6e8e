/**
 * Argument checks for the public functions. Every message names the function, the argument, what it
 * got and what is allowed, so a caller can fix the call without reading the source.
 */

/** A short, human-readable description of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  return `an object (${Object.prototype.toString.call(value)})`;
}

/** Throws the package's standard argument error. */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `value` is an integer in `[min, max]`. */
export function assertInt(fn: string, name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    fail(fn, name, value, range);
  }
}

/** Throws unless `value` is an integer >= 1. */
export function assertPositiveInt(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(fn, name, value, 'a positive integer');
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string | number>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) fail(fn, name, value, `one of ${allowed.map((a) => describe(a)).join(', ')}`);
}

/** Throws unless `value` is a string that is a plain file name: letters, digits, `.`, `_`, `-`, and not `.` or `..`. */
export function assertPlainFileName(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !/^(?!\.{1,2}$)[A-Za-z0-9._-]+$/.test(value)) fail(fn, name, value, 'a plain file name (letters, digits, . _ -)');
}

/** Throws unless `value` is a lowercase or uppercase hex SHA-256 digest (64 hex digits). */
export function assertSha256(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/i.test(value)) fail(fn, name, value, 'a SHA-256 digest of 64 hex digits');
}

/** Throws unless `value` is a non-null object (not an array). */
export function assertObject(fn: string, name: string, value: unknown, allowed: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(fn, name, value, allowed);
}

/** Throws unless `value` is a finite number in `[min, max]`. */
export function assertNumber(fn: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(fn, name, value, `a number in [${min}, ${max}]`);
  }
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}

/** Throws unless `value` is a non-empty string. */
export function assertString(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) fail(fn, name, value, 'a non-empty string');
}

/** Throws unless `value` is undefined or a function. */
export function assertOptionalFunction(fn: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(fn, name, value, 'a function or undefined');
}

/** Throws unless `value` is a plain options object (or undefined, which callers default to `{}`). */
export function assertOptions(fn: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    fail(fn, 'options', value, 'an options object or undefined');
  }
}

/** Throws unless `value` is a hex MD5 digest (32 hex digits). */
export function assertMd5(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !/^[0-9a-f]{32}$/i.test(value)) fail(fn, name, value, 'an MD5 digest of 32 hex digits');
}
