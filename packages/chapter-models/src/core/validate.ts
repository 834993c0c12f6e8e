/**
 * Argument checks in the project-wide form `${fn}: ${name} must be ${allowed}, got ${describe(value)}.`, so a user can
 * fix the call without reading the source. (Each @aa package has its own small copy: packages do not import each other.)
 */

/** Throws the standard argument error. */
export function fail(fn: string, name: string, value: unknown, allowed: string): never {
  throw new Error(`${fn}: ${name} must be ${allowed}, got ${describe(value)}.`);
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(fn, name, value, `one of ${quoteAll(allowed)}`);
}

/**
 * Throws unless `options` is `undefined` or a plain object whose keys are all in `allowed`: a misspelt option would
 * otherwise be ignored and the default used without a word.
 */
export function assertOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) fail(fn, 'options', options, `an object with some of the keys ${quoteAll(allowed)}`);
  const unknown = Object.keys(options).find((key) => !allowed.includes(key));
  if (unknown !== undefined) fail(fn, 'option names', unknown, `one of ${quoteAll(allowed)}`);
}

function quoteAll(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** Longest array and deepest nesting {@link describe} writes out in full. */
const DESCRIBE_ITEMS = 8;
const DESCRIBE_DEPTH = 3;

/** A short, readable rendering of any value for error messages (numbers as JavaScript prints them: `NaN`, `Infinity`). */
export function describe(value: unknown, depth = 0): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (depth >= DESCRIBE_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, DESCRIBE_ITEMS).map((v) => describe(v, depth + 1));
    if (value.length > DESCRIBE_ITEMS) items.push(`… (${value.length} items)`);
    return `[${items.join(', ')}]`;
  }
  // Class instances (a URL, a model, ...) by their class: their fields are huge or cyclic.
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto !== null && proto !== Object.prototype) return `an instance of ${proto.constructor?.name || 'an unnamed class'}`;
  const entries = Object.entries(value as object);
  const shown = entries.slice(0, DESCRIBE_ITEMS).map(([k, v]) => `${k}: ${describe(v, depth + 1)}`);
  if (entries.length > DESCRIBE_ITEMS) shown.push('…');
  return `{${shown.join(', ')}}`;
}
