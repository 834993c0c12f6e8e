import type { FloatImage } from './png';

/**
 * Weights of an area (box) resampling of `from` samples onto `to`: output i averages the input interval
 * [i·from/to, (i+1)·from/to), each input sample weighted by how much of it that interval covers.
 */
function areaWeights(from: number, to: number): { start: number; weights: number[] }[] {
  const step = from / to;
  return Array.from({ length: to }, (_, i) => {
    const lo = i * step;
    const hi = lo + step;
    const start = Math.floor(lo);
    const weights: number[] = [];
    for (let j = start; j < Math.min(from, Math.ceil(hi)); j++) weights.push((Math.min(hi, j + 1) - Math.max(lo, j)) / step);
    return { start, weights };
  });
}

/**
 * Shrinks an image by area averaging, the low-pass a reduced preview needs (plain subsampling would alias, which
 * is exactly what the aliasing figures must not show of their own accord).
 */
export function resizeArea(img: FloatImage, width: number, height: number): FloatImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > img.width || height > img.height) {
    throw new Error(`resizeArea: width and height must be integers from 1 to the image's ${img.width}x${img.height}, got ${width}x${height}.`);
  }
  const ch = img.channels;
  const cols = areaWeights(img.width, width);
  const rows = areaWeights(img.height, height);
  // Horizontal pass, then vertical: separable, so each pass is a short weighted sum.
  const wide = new Float32Array(width * img.height * ch);
  for (let y = 0; y < img.height; y++) {
    cols.forEach(({ start, weights }, x) => {
      for (let c = 0; c < ch; c++) {
        let s = 0;
        weights.forEach((w, k) => (s += w * (img.data[(y * img.width + start + k) * ch + c] as number)));
        wide[(y * width + x) * ch + c] = s;
      }
    });
  }
  const data = new Float32Array(width * height * ch);
  rows.forEach(({ start, weights }, y) => {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < ch; c++) {
        let s = 0;
        weights.forEach((w, k) => (s += w * (wide[((start + k) * width + x) * ch + c] as number)));
        data[(y * width + x) * ch + c] = s;
      }
    }
  });
  return { width, height, channels: ch, data };
}
