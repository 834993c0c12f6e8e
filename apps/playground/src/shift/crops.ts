/** The chapter's shift protocol: 24×24 windows of a 32×32 image at offsets 0–7 in each direction, 64 in all. */
export const CROP = 24;
export const SHIFTS = 8;
/** The centre crop (top 4, left 4): torchvision's CenterCrop(24) of a 32×32 image, the chapter's test input. */
export const CENTRE = { top: 4, left: 4 } as const;

/** Crop index as the chapter orders them (`top` outer, `left` inner): `top·8 + left`. */
export const cropIndex = (top: number, left: number): number => top * SHIFTS + left;

/** Clamps an offset to the 8 positions a crop can take. */
export const clampShift = (v: number): number => Math.min(SHIFTS - 1, Math.max(0, Math.round(v)));

/** The 24×24 crop at (`top`, `left`) of a uint8 `[32, 32, 3]` image, as float32 in [0, 1] (`x[top:top+24, left:left+24] / 255`). */
export function crop(pixels: Uint8Array, top: number, left: number, out = new Float32Array(CROP * CROP * 3), offset = 0): Float32Array {
  for (let i = 0; i < CROP; i++) {
    for (let j = 0; j < CROP; j++) {
      for (let c = 0; c < 3; c++) out[offset + (i * CROP + j) * 3 + c] = (pixels[((top + i) * 32 + left + j) * 3 + c] as number) / 255;
    }
  }
  return out;
}

/** All 64 crops, `[64, 24, 24, 3]` row-major, crop `top·8 + left` at its index. */
export function allCrops(pixels: Uint8Array): Float32Array {
  const per = CROP * CROP * 3;
  const out = new Float32Array(SHIFTS * SHIFTS * per);
  for (let top = 0; top < SHIFTS; top++) for (let left = 0; left < SHIFTS; left++) crop(pixels, top, left, out, cropIndex(top, left) * per);
  return out;
}
