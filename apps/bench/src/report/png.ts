import { readFileSync } from 'node:fs';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** An image as float32 values in [0, 1], channels-last `[height, width, channels]`, channels 1 (grey) or 3 (RGB). */
export interface FloatImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Float32Array;
}

/** Encodes a float image as an 8-bit RGB PNG (values clipped to [0, 1]). */
export function encodePng(image: FloatImage): Buffer {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`encodePng: data has ${data.length} values, expected ${width}x${height}x${channels}.`);
  }
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const out = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[p * channels + (channels === 1 ? 0 : c)] as number;
      out[p * 4 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    out[p * 4 + 3] = 255;
  }
  png.data = out;
  return PNG.sync.write(png, { colorType: 2 });
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether `bytes` start with the PNG signature. */
export const isPng = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 8)).equals(PNG_SIGNATURE);

/** Width and height of a PNG from its header (IHDR), without decoding it. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!isPng(bytes) || bytes.length < 24) throw new Error('pngSize: bytes must be a PNG file, got data without the PNG signature.');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Encodes a float image as a baseline JPEG (values clipped to [0, 1]) at `quality` 1-100. */
export function encodeJpeg(image: FloatImage, quality = 85): Buffer {
  const { width, height, channels, data } = image;
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(Math.min(1, Math.max(0, data[p * channels + (channels === 1 ? 0 : c)] as number)) * 255);
    rgba[p * 4 + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}

/** Decodes PNG or JPEG bytes (by their signature) into an RGB float image; null for any other format. */
export function decodeImage(bytes: Uint8Array): FloatImage | null {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  if (isPng(bytes)) {
    const png = PNG.sync.read(Buffer.from(bytes));
    ({ width, height } = png);
    rgba = png.data;
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    ({ width, height } = decoded);
    rgba = decoded.data;
  } else {
    return null;
  }
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = (rgba[p * 4 + c] as number) / 255;
  }
  return { width, height, channels: 3, data };
}

/** Decodes a PNG or JPEG file (by its signature, not its name) into an RGB float image. */
export function decodeImageFile(path: string): FloatImage {
  const image = decodeImage(readFileSync(path));
  if (!image) throw new Error(`--image ${path}: not a PNG or JPEG file (unrecognised signature).`);
  return image;
}
