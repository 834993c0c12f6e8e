import { fail } from './validate';

/**
 * A small seeded generator (sfc32, seeded through splitmix32) whose whole state is four uint32
 * numbers, so checkpoints can save it and resume where it stopped.
 */
export class Rng {
  private s: Uint32Array;

  /** @param seed Any finite number; equal seeds give equal sequences. */
  constructor(seed: number) {
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small integer seed over the whole state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = Uint32Array.from([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next uint32. */
  nextUint32(): number {
    const s = this.s;
    const a = s[0] as number, b = s[1] as number, c = s[2] as number, d = s[3] as number;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = (d + 1) >>> 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) >>> 0;
    const r = (c << 21) | (c >>> 11);
    s[2] = (r + t) >>> 0;
    return t;
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  random(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** The state: four uint32 numbers. */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state from `getState`. */
  setState(state: unknown): void {
    const ok = Array.isArray(state) && state.length === 4 && state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32);
    if (!ok) fail('Rng.setState', 'state', state, 'an array of four uint32 numbers');
    this.s = Uint32Array.from(state as number[]);
  }
}
