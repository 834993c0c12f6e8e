/** The project's seedable generator (sfc32 seeded by splitmix32), for reproducible test data. */

/** A seedable source of uniform numbers; the same interface in every @aa package. */
export interface Rng {
  /** A uniform number in [0, 1). */
  random(): number;
  /** The whole state: four uint32 numbers. */
  getState(): number[];
  /** Restores a state returned by `getState`. */
  setState(state: number[]): void;
}

/** sfc32 seeded through splitmix32: equal seeds give equal streams in every @aa package. */
export function createRng(seed: number): Rng {
  let x = seed >>> 0;
  const splitmix32 = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = Uint32Array.from([splitmix32(), splitmix32(), splitmix32(), splitmix32()]);
  const sfc32 = (): number => {
    const a = s[0] as number, b = s[1] as number, c = s[2] as number, d = s[3] as number;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = (d + 1) >>> 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) >>> 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  };
  // The first outputs of a fresh sfc32 state are still correlated with the seed.
  for (let i = 0; i < 12; i++) sfc32();
  return {
    random: () => sfc32() / 2 ** 32,
    getState: () => Array.from(s),
    setState(state: number[]): void {
      if (!(Array.isArray(state) && state.length === 4 && state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32))) {
        throw new Error(`rng.setState: state must be an array of four uint32 numbers, got ${JSON.stringify(state)}.`);
      }
      s.set(state);
    },
  };
}
