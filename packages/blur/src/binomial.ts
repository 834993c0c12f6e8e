import { assertPositiveInt, fail } from './validate';

/** The largest filter {@link binomialFilter} builds: the row is computed in doubles, whose range ends near 2^1024. */
export const MAX_BINOMIAL_SIZE = 1000;

/**
 * The normalised binomial filter of length `size`: `C(size-1, i) / 2^(size-1)` for `i = 0..size-1`.
 *
 * It is the row of Pascal's triangle that sums to 1: symmetric, peaked in the middle, and the
 * filter Zhang (2019) and the chapter's text use for anti-aliasing. (The chapter's code calls
 * `scipy.stats.binom.pmf(range(k), k)`, i.e. n = k instead of k - 1, which is lopsided and sums
 * to less than 1; this is the filter the text describes.)
 *
 * @param size - filter length, a positive integer (1 gives `[1]`, the identity).
 * @returns the `size` filter taps, summing to 1.
 * @example
 * ```ts
 * binomialFilter(3); // [0.25, 0.5, 0.25]
 * ```
 */
export function binomialFilter(size: number): number[] {
  assertPositiveInt('binomialFilter', 'size', size);
  if (size > MAX_BINOMIAL_SIZE) fail('binomialFilter', 'size', size, `at most ${MAX_BINOMIAL_SIZE} (the row is computed in doubles)`);
  const n = size - 1;
  // Pascal's row built multiplicatively: exact in doubles up to size 53, correctly rounded-ish beyond.
  const taps: number[] = [1];
  for (let i = 1; i <= n; i++) taps.push(((taps[i - 1] as number) * (n - i + 1)) / i);
  const total = 2 ** n;
  return taps.map((c) => c / total);
}
