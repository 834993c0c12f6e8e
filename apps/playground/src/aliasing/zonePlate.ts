/**
 * A zone plate: `0.5 + 0.5 cos(π r² / size)`, a chirp whose spatial frequency grows linearly from 0 at the centre to
 * the Nyquist frequency at the middle of each edge — every frequency at once, the standard test image for aliasing
 * (the chapter's zebra stripes, made exact). Grey, `size × size`, row-major.
 */
export function zonePlate(size: number): Float32Array {
  const data = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) data[i * size + j] = 0.5 + 0.5 * Math.cos((Math.PI * ((i - size / 2) ** 2 + (j - size / 2) ** 2)) / size);
  }
  return data;
}
