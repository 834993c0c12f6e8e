import { drawUniform } from './rng';
import type { Rng } from './rng';
import { fail } from './validate';

// Marsaglia–Tsang accepts more than 95% of its proposals for every shape; a generator that makes it reject this
// often is not uniform (e.g. a scripted one), and looping on it would hang.
const MAX_PROPOSALS = 1000;

/** A standard normal variate by Box–Muller (one of the pair: caching the other would be state outside `getState`). */
function standardNormal(fn: string, rng: Rng): number {
  // 1 − u lies in (0, 1], so the logarithm is finite.
  const radius = Math.sqrt(-2 * Math.log(1 - drawUniform(fn, rng)));
  return radius * Math.cos(2 * Math.PI * drawUniform(fn, rng));
}

/**
 * The logarithm of a Gamma(shape, 1) variate. Marsaglia and Tsang (2000) for shape >= 1; for shape < 1 their boost
 * `G(shape + 1)·U^{1/shape}`, taken in logs because `U^{1/shape}` underflows for small shapes (α = 0.1 gives U^10).
 */
function logGamma(fn: string, shape: number, rng: Rng): number {
  if (shape < 1) return logGamma(fn, shape + 1, rng) + Math.log(1 - drawUniform(fn, rng)) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < MAX_PROPOSALS; i++) {
    const x = standardNormal(fn, rng);
    const root = 1 + c * x;
    if (root <= 0) continue;
    const v = root * root * root;
    const u = drawUniform(fn, rng);
    // The cheap squeeze first, then the exact test.
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
  throw new Error(`${fn}: rng rejected ${MAX_PROPOSALS} Gamma proposals in a row; rng.random() does not look uniform.`);
}

function assertShape(fn: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(fn, name, value, 'a finite number > 0');
}

/**
 * A Gamma(shape, 1) variate (Marsaglia–Tsang), every draw from `rng`.
 *
 * @param shape > 0
 */
export function sampleGamma(shape: number, rng: Rng): number {
  assertShape('sampleGamma', 'shape', shape);
  return Math.exp(logGamma('sampleGamma', shape, rng));
}

/**
 * A Beta(a, b) variate in [0, 1] as `G_a / (G_a + G_b)` for independent Gamma variates, computed from their
 * logarithms so tiny shapes neither underflow nor give 0/0. Beta(1, 1) is the uniform itself (one draw).
 *
 * @param a > 0
 * @param b > 0
 */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const fn = 'sampleBeta';
  assertShape(fn, 'a', a);
  assertShape(fn, 'b', b);
  if (a === 1 && b === 1) return drawUniform(fn, rng);
  const la = logGamma(fn, a, rng);
  const lb = logGamma(fn, b, rng);
  // G_a / (G_a + G_b) = 1 / (1 + e^{lb − la}); exp overflowing to Infinity gives 0, as it should.
  return 1 / (1 + Math.exp(lb - la));
}
