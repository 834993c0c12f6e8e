/** Argument checks at the public boundary; every message names the function, the argument, what it got and what is allowed. */

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Throws unless `value` is undefined or a finite number (within [min, max] and an integer when asked). */
export function checkNumber(
  fn: string,
  name: string,
  value: unknown,
  { min = -Infinity, max = Infinity, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    const range = `${integer ? 'an integer' : 'a finite number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
    throw new Error(`${fn}: ${name} must be ${range}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is undefined or an array of strings drawn from `allowed`. */
export function checkNames(fn: string, name: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !allowed.includes(v))) {
    const bad = Array.isArray(value) ? value.filter((v) => typeof v !== 'string' || !allowed.includes(v)) : value;
    throw new Error(`${fn}: ${name} must be an array of overridden kernel names (${allowed.join(', ')}), got ${describe(bad)}`);
  }
}

/** Throws unless `value` is undefined or a plain object whose keys are all in `allowed` (a misspelt option is an error). */
export function checkObject(fn: string, name: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${fn}: ${name} must be an options object, got ${describe(value)}`);
  }
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${fn}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} in ${name}; allowed: ${allowed.join(', ')}`);
  }
}


/** Throws unless `value` is undefined or a boolean. */
export function checkBoolean(fn: string, name: string, value: unknown): void {
  if (value === undefined || typeof value === 'boolean') return;
  throw new Error(`${fn}: ${name} must be true or false, got ${describe(value)}`);
}
