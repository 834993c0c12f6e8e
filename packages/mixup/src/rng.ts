import { assertSeed, fail } from './validate';

/** A seedable source of uniform numbers; the same interface in every @aa package. */
export interface Rng {
  /** A uniform number in [0, 1). */
  random(): number;
  /** The whole state (four uint32 numbers, JSON-serialisable), e.g. for a checkpoint. */
  getState(): number[];
  /** Restores a state returned by `getState`: the stream continues from there. */
  setState(state: number[]): void;
}

/**
 * A small seeded generator: sfc32 seeded through splitmix32, whose whole state is four uint32 numbers, so a
 * training checkpoint can save it (it is a `Stateful` for `@aa/train-loop`) and resume the λ sequence where it stopped.
 * The same seed gives the same stream in every @aa package.
 *
 * @param seed integer in [0, 2^32 − 1]
 */
export function createRng(seed: number): Rng {
  assertSeed('createRng', seed);
  let x = seed >>> 0;
  const splitmix32 = (): number => {
    // Spreads a small integer seed over the whole state.
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
      const ok = Array.isArray(state) && state.length === 4 && state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
      if (!ok) fail('rng.setState', 'state', state, 'an array of four uint32 numbers (from getState)');
      s.set(state);
    },
  };
}

let sharedRng: Rng | undefined;

/** The generator used when a function is called without `rng`: created lazily, randomly seeded. */
export function defaultRng(): Rng {
  sharedRng ??= createRng(Math.floor(Math.random() * 2 ** 32));
  return sharedRng;
}

/**
 * The generator a stateful helper (collator, dataset transform) keeps: `rng` if given, else a new one from `seed`
 * (randomly seeded when both are omitted).
 */
export function resolveRng(fn: string, rng: Rng | undefined, seed: number | undefined): Rng {
  if (rng !== undefined) {
    assertRng(fn, rng);
    return rng;
  }
  if (seed !== undefined) assertSeed(fn, seed);
  return createRng(seed ?? Math.floor(Math.random() * 2 ** 32));
}

/** Throws unless `rng` has the {@link Rng} methods. */
export function assertRng(fn: string, rng: unknown): asserts rng is Rng {
  const r = rng as Partial<Rng> | null;
  if (typeof r !== 'object' || r === null || typeof r.random !== 'function' || typeof r.getState !== 'function' || typeof r.setState !== 'function') {
    fail(fn, 'rng', rng, 'an Rng {random, getState, setState} (see createRng)');
  }
}

/** One uniform from `rng`, checked: a custom generator returning NaN or numbers outside [0, 1) would index out of range. */
export function drawUniform(fn: string, rng: Rng): number {
  const u = rng.random();
  if (!(typeof u === 'number' && u >= 0 && u < 1)) fail(fn, 'rng.random()', u, 'a number in [0, 1)');
  return u;
}
