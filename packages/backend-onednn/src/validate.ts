/**
 * Argument checks at the public boundary, in the project's style: every message is
 * `${fn}: ${name} must be ${allowed}, got ${describe(value)}.`
 */

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Throws the standard argument error. */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `value` is a finite number (within [min, max] and an integer when asked). */
export function assertNumber(
  fn: string,
  name: string,
  value: unknown,
  { min = -Infinity, max = Infinity, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): asserts value is number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${integer ? 'an integer' : 'a finite number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
    fail(fn, name, value, range);
  }
}

/** Throws unless `value` is an array of strings drawn from `allowed`. */
export function assertNames(fn: string, name: string, value: unknown, allowed: readonly string[]): asserts value is string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !allowed.includes(v))) {
    const bad = Array.isArray(value) ? value.filter((v) => typeof v !== 'string' || !allowed.includes(v)) : value;
    fail(fn, name, bad, `an array of overridden kernel names (${allowed.join(', ')})`);
  }
}

/** Throws unless `value` is a plain object whose keys are all in `allowed` (a misspelt option is an error). */
export function assertOptions(fn: string, name: string, value: unknown, allowed: readonly string[]): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(fn, name, value, 'an options object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(fn, `each option name in ${name}`, key, `one of ${allowed.join(', ')}`);
  }
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(fn: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') fail(fn, name, value, 'true or false');
}
