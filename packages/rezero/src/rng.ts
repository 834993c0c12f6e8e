import { fail } from './validate';

/** A seedable source of uniform numbers; the same interface in every @aa package. */
export interface Rng {
  /** A uniform number in [0, 1) with 32 random bits. */
  random(): number;
  /** The whole state: four uint32 numbers. */
  getState(): number[];
  /** Restores a state from {@link Rng.getState}. */
  setState(state: number[]): void;
}

/**
 * A small seeded generator: sfc32, its four state words filled by splitmix32 from `seed` (the
 * algorithm of @aa/train-loop's Rng; packages do not import each other, so each has this copy).
 *
 * @param seed - any finite number; equal seeds give equal sequences.
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) fail('createRng', 'seed', seed, 'a finite number');
  let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
  const splitmix32 = (): number => {
    // Spreads a small integer seed over the whole state.
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s = Uint32Array.from([splitmix32(), splitmix32(), splitmix32(), splitmix32()]);
  const nextUint32 = (): number => {
    const a = s[0] as number, b = s[1] as number, c = s[2] as number, d = s[3] as number;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = (d + 1) >>> 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) >>> 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  };
  // Discard the first outputs, as sfc32's authors advise.
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    random: () => nextUint32() / 2 ** 32,
    getState: () => Array.from(s),
    setState: (state: number[]) => {
      const ok = Array.isArray(state) && state.length === 4 && state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
      if (!ok) fail('Rng.setState', 'state', state, 'an array of four uint32 numbers');
      s = Uint32Array.from(state);
    },
  };
}
