import { createRng } from './rng';

/** Hands out one initializer seed per call; `undefined` for every call when the model is unseeded. */
export type SeedSequence = () => number | undefined;

/**
 * The seeds of a model's initializers, all derived from one `seed` by a seeded generator rather
 * than `seed + i`, so the seeds of different models never overlap (seed 1's first layer is not
 * seed 0's second). Each is a uint32 >= 1: tfjs's normal initializers treat seed 0 as "no seed".
 */
export function seedSequence(seed: number | undefined): SeedSequence {
  if (seed === undefined) return () => undefined;
  const rng = createRng(seed);
  return () => Math.floor(rng.random() * 2 ** 32) || 1;
}
