import { assertRng, defaultRng, drawUniform } from './rng';
import type { Rng } from './rng';
import { assertPositiveInt, fail } from './validate';

/** A half-open pixel box `[top, bottom) × [left, right)`. */
export interface CutmixBox {
  /** First row inside the box. */
  top: number;
  /** One past the last row. */
  bottom: number;
  /** First column inside the box. */
  left: number;
  /** One past the last column. */
  right: number;
}

/**
 * The CutMix box for a drawn λ: sides `floor(H·√(1−λ)) × floor(W·√(1−λ))` (area ≈ (1−λ)·H·W) around a uniformly
 * drawn centre, clipped to the image. Clipping and rounding change the area, so use {@link boxLambda} for the true λ.
 *
 * @param lambda drawn λ in [0, 1]
 * @param height image height H
 * @param width image width W
 */
export function cutmixBox(lambda: number, height: number, width: number, rng: Rng = defaultRng()): CutmixBox {
  const fn = 'cutmixBox';
  if (typeof lambda !== 'number' || !(lambda >= 0 && lambda <= 1)) fail(fn, 'lambda', lambda, 'a number in [0, 1]');
  assertPositiveInt(fn, 'height', height);
  assertPositiveInt(fn, 'width', width);
  assertRng(fn, rng);
  const ratio = Math.sqrt(1 - lambda);
  const cutH = Math.floor(height * ratio);
  const cutW = Math.floor(width * ratio);
  const cy = Math.min(height - 1, Math.floor(drawUniform(fn, rng) * height));
  const cx = Math.min(width - 1, Math.floor(drawUniform(fn, rng) * width));
  const top = cy - Math.floor(cutH / 2);
  const left = cx - Math.floor(cutW / 2);
  const clip = (v: number, hi: number) => Math.max(0, Math.min(hi, v));
  return { top: clip(top, height), bottom: clip(top + cutH, height), left: clip(left, width), right: clip(left + cutW, width) };
}

/** The λ a box really gives: the fraction of the image it leaves untouched, `1 − area / (H·W)`. */
export function boxLambda(box: CutmixBox, height: number, width: number): number {
  const fn = 'boxLambda';
  assertPositiveInt(fn, 'height', height);
  assertPositiveInt(fn, 'width', width);
  assertBox(fn, 'box', box, height, width);
  return 1 - ((box.bottom - box.top) * (box.right - box.left)) / (height * width);
}

/** Throws unless `box` is a {@link CutmixBox} inside an image of `height` × `width`. */
export function assertBox(fn: string, name: string, box: unknown, height: number, width: number): asserts box is CutmixBox {
  const b = box as Partial<CutmixBox> | null;
  const int = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const ok =
    typeof b === 'object' && b !== null && int(b.top) && int(b.bottom) && int(b.left) && int(b.right) &&
    b.top >= 0 && b.top <= b.bottom && b.bottom <= height && b.left >= 0 && b.left <= b.right && b.right <= width;
  if (!ok) fail(fn, name, box, `{top, bottom, left, right} with 0 <= top <= bottom <= ${height} and 0 <= left <= right <= ${width}`);
}

/**
 * A CutMix box of random size, timm's `cutmix_minmax`: sides drawn uniformly from the integers
 * `⌊min·H⌋..⌊max·H⌋` and `⌊min·W⌋..⌊max·W⌋`, then placed uniformly where it fits inside the image (four draws).
 *
 * @param cutmixMinMax `[min, max]`, fractions of the side with 0 <= min <= max <= 1 (checked by the caller)
 */
export function cutmixMinMaxBox(fn: string, cutmixMinMax: readonly [number, number], height: number, width: number, rng: Rng): CutmixBox {
  // Uniform over lo..hi inclusive.
  const int = (lo: number, hi: number) => lo + Math.min(hi - lo, Math.floor(drawUniform(fn, rng) * (hi - lo + 1)));
  const side = (n: number) => int(Math.floor(n * cutmixMinMax[0]), Math.floor(n * cutmixMinMax[1]));
  const h = side(height);
  const w = side(width);
  const top = int(0, height - h);
  const left = int(0, width - w);
  return { top, bottom: top + h, left, right: left + w };
}
