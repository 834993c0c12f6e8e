import type { FloatImage } from './png';

const LOBES = 3;
const lanczos = (x: number) => (x === 0 ? 1 : Math.abs(x) >= LOBES ? 0 : (LOBES * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / LOBES)) / (Math.PI * Math.PI * x * x));

/**
 * Taps of a Lanczos-3 shrink of `from` samples onto `to`: the kernel is stretched by the shrink factor, so it cuts
 * everything above the output's Nyquist frequency. Weights are normalised over the taps inside the image.
 */
function taps(from: number, to: number): { index: number[]; weight: number[] }[] {
  const f = from / to;
  return Array.from({ length: to }, (_, i) => {
    const centre = (i + 0.5) * f - 0.5;
    const index: number[] = [];
    const weight: number[] = [];
    for (let j = Math.max(0, Math.ceil(centre - LOBES * f)); j <= Math.min(from - 1, Math.floor(centre + LOBES * f)); j++) {
      index.push(j);
      weight.push(lanczos((j - centre) / f));
    }
    const total = weight.reduce((s, w) => s + w, 0);
    return { index, weight: weight.map((w) => w / total) };
  });
}

/**
 * Shrinks an image with a Lanczos-3 filter: a preview that shows what the full image holds, without moiré of its
 * own (a box average or plain subsampling would add aliasing, the very thing the aliasing figures are about).
 */
export function shrinkImage(img: FloatImage, width: number, height: number): FloatImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > img.width || height > img.height) {
    throw new Error(`shrinkImage: width and height must be integers from 1 to the image's ${img.width}x${img.height}, got ${width}x${height}.`);
  }
  const ch = img.channels;
  const cols = taps(img.width, width);
  const rows = taps(img.height, height);
  // Separable: rows first, then columns, each a short weighted sum.
  const wide = new Float32Array(width * img.height * ch);
  for (let y = 0; y < img.height; y++) {
    cols.forEach(({ index, weight }, x) => {
      for (let c = 0; c < ch; c++) {
        let s = 0;
        index.forEach((j, k) => (s += (weight[k] as number) * (img.data[(y * img.width + j) * ch + c] as number)));
        wide[(y * width + x) * ch + c] = s;
      }
    });
  }
  const data = new Float32Array(width * height * ch);
  rows.forEach(({ index, weight }, y) => {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < ch; c++) {
        let s = 0;
        index.forEach((j, k) => (s += (weight[k] as number) * (wide[(j * width + x) * ch + c] as number)));
        data[(y * width + x) * ch + c] = s;
      }
    }
  });
  return { width, height, channels: ch, data };
}
