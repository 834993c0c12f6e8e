/**
 * Seedable randomness. Everything random in this package (shuffles, random crops, flips) draws from
 * these generators so that the same seed gives the same batches on every machine and backend.
 */

/** A source of uniform random numbers. */
export interface Rng {
  /** A float uniform in `[0, 1)` (32 bits of resolution). */
  next(): number;
  /** An integer uniform in `[0, n)`; `n` is an integer in `[1, 2^32]`. */
  int(n: number): number;
}

/**
 * Mulberry32: a tiny 32-bit generator with a full 2^32 period, good enough for shuffles and
 * augmentation (not for cryptography).
 * @param seed any integer; only its low 32 bits are used.
 */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const nextU32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    next: () => nextU32() / 4294967296,
    int: (n: number) => {
      // Rejection sampling: a plain `u32 % n` would favour small values when n does not divide 2^32.
      const limit = 4294967296 - (4294967296 % n);
      let u = nextU32();
      while (u >= limit) u = nextU32();
      return u % n;
    },
  };
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
 */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A fresh random 32-bit seed for callers that did not choose one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
