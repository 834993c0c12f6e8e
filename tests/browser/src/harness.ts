import * as tf from '@tensorflow/tfjs';

/** How close a float32 result must be to a float64 golden value: |a − e| ≤ atol + rtol·|e|, element-wise. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** What a case may ask of the run: which backend it is on and that backend's tolerances. */
export interface CaseContext {
  backend: string;
  /** Tolerance for forward values, gradients and losses (WebGL's float32 shaders round differently from JS). */
  tol: Record<'forward' | 'grad', Tolerance>;
}

/** One check run in the page. It throws to fail; what it returns (JSON-able) goes back to Node for comparison. */
export interface BrowserCase {
  name: string;
  run(ctx: CaseContext): unknown;
}

/** A case's outcome, as Node reads it from the page. */
export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  /** Tensors the case left behind (a failure when not 0). */
  leaked: number;
  ms: number;
  details?: unknown;
  /** The largest error relative to the tolerance over the case's comparisons (≤ 1 passes), for tuning tolerances. */
  worst: number;
}

let worstRatio = 0;

/**
 * Throws unless `actual` matches `expected` within `tol`, naming `what` and the worst element; records how much of
 * the tolerance the worst element used.
 */
export function expectClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1;
  let ratio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    const d = Math.abs(a - e);
    // An exact match uses none of the tolerance (even a zero one); NaN uses all of it and more.
    const r = d === 0 ? 0 : Number.isNaN(d) ? Infinity : d / (tol.atol + tol.rtol * Math.abs(e));
    if (r > ratio) {
      ratio = r;
      worst = i;
    }
  }
  worstRatio = Math.max(worstRatio, ratio);
  if (ratio > 1) throw new Error(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${tol.rtol}, atol ${tol.atol})`);
}

/** Throws with `message` unless `condition`. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Flattens the fixtures' nested arrays in row-major order. */
export function flat(nested: unknown): number[] {
  return Array.isArray(nested) ? nested.flatMap((v) => flat(v)) : [nested as number];
}

/** Runs every case in turn; a case fails when it throws or leaves tensors behind. */
export async function runCases(cases: readonly BrowserCase[], ctx: CaseContext): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const start = performance.now();
    worstRatio = 0;
    let details: unknown;
    let error: string | undefined;
    try {
      details = await c.run(ctx);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const leaked = tf.memory().numTensors - before;
    if (error === undefined && leaked !== 0) error = `left ${leaked} tensor(s) behind`;
    results.push({ name: c.name, ok: error === undefined, error, leaked, ms: Math.round(performance.now() - start), details, worst: worstRatio });
  }
  return results;
}
