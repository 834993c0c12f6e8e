/**
 * Seedable randomness. Everything random in this package (shuffles, random crops, flips) draws from
 * these generators so that the same seed gives the same batches on every machine and backend.
 */
import { describe, fail } from './validate';

/** A seedable source of uniform numbers; the same interface in every @aa package. */
export interface Rng {
  /** A number uniform in `[0, 1)`. */
  random(): number;
  /** The generator's whole state, to save (e.g. in a checkpoint) and hand back to {@link Rng.setState}. */
  getState(): number[];
  /** Restores a state from {@link Rng.getState}: the numbers that followed it follow again. */
  setState(state: number[]): void;
}

const TWO_32 = 4294967296;

/** sfc32 whose state is four uint32 numbers, so it can be saved and restored exactly. */
class Sfc32 implements Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    // Same seeding as @aa/train-loop: splitmix32 spreads a small integer seed over the whole state.
    let x = (Math.floor(seed) ^ Math.floor(seed / TWO_32)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = Uint32Array.from([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const s = this.s;
    const a = s[0]!;
    const b = s[1]!;
    const c = s[2]!;
    const d = s[3]!;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = (d + 1) >>> 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) >>> 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  }

  random(): number {
    return this.nextUint32() / TWO_32;
  }

  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: number[]): void {
    const ok = Array.isArray(state) && state.length === 4 && state.every((v) => Number.isInteger(v) && v >= 0 && v < TWO_32);
    if (!ok) fail('Rng.setState', 'state', state, 'an array of four uint32 numbers (from getState)');
    this.s = Uint32Array.from(state);
  }
}

/**
 * A seeded generator: sfc32 seeded through splitmix32, the algorithm of every @aa package, fast and
 * statistically sound for shuffles and augmentation (not for cryptography).
 * @param seed an integer; equal seeds give equal sequences.
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) fail('createRng', 'seed', seed, 'an integer');
  return new Sfc32(seed);
}

/** Throws unless `rng` has the {@link Rng} methods. */
export function assertRng(fn: string, name: string, rng: unknown): asserts rng is Rng {
  const r = rng as Partial<Rng> | null;
  if (typeof r !== 'object' || r === null || typeof r.random !== 'function') fail(fn, name, rng, 'an Rng with a random() method (see createRng)');
}

/**
 * An integer uniform in `[0, n)`, `n` an integer in `[1, 2^32]`, from 32 bits of one `random()` draw.
 * Rejection sampling: a plain `floor(u * n)` would favour some values when n does not divide 2^32.
 */
export function randomInt(rng: Rng, n: number): number {
  const limit = TWO_32 - (TWO_32 % n);
  for (;;) {
    const u = rng.random();
    if (!(u >= 0 && u < 1)) throw new Error(`randomInt: rng.random() must return a number in [0, 1), got ${describe(u)}.`);
    const v = Math.floor(u * TWO_32);
    if (v < limit) return v % n;
  }
}

/**
 * Derives an independent 32-bit seed from a base seed and a stream number (e.g. the epoch), so that
 * epoch k's order does not depend on how much of epoch k-1 was consumed.
 */
export function deriveSeed(seed: number, stream: number): number {
  // splitmix32-style finaliser over the pair.
  let h = (seed >>> 0) ^ Math.imul(stream + 1, 0x9e3779b9);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Shuffles `array` in place with Fisher-Yates (every permutation equally likely) and returns it.
 * @param rng any {@link Rng}, e.g. `createRng(seed)`.
 */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  if (array === null || typeof array !== 'object' || typeof array.length !== 'number') fail('shuffleInPlace', 'array', array, 'an array or typed array');
  assertRng('shuffleInPlace', 'rng', rng);
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A fresh random 32-bit seed for callers that did not choose one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * TWO_32) >>> 0;
}
