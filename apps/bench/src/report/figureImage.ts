import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { decodeImage, encodeJpeg, isPng, pngSize } from './png';
import { shrinkImage } from './resize';

/** A raster figure as report.html shows it. */
export interface PageImage {
  /** A data URI: the page stays one file that can be mailed on its own. */
  src: string;
  /** Shown size in CSS pixels. */
  width: number;
  height: number;
  /** Enlarged by a whole factor, drawn with square pixels (no smoothing that would hide what the figure shows). */
  pixelated: boolean;
  /** Set when the page shows a reduced or re-encoded preview: the full-size file beside report.html. */
  full?: { file: string; width: number; height: number };
}

/** Files up to this size go into the page as they are. */
export const EMBED_MAX_BYTES = 400 * 1024;
/** JPEG quality of previews: smooth photos and zone plates, a tenth of the PNG's size. */
const PREVIEW_QUALITY = 85;

const dataUri = (mime: string, bytes: Uint8Array) => `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

/**
 * How report.html shows the raster figure `file` of `dir` at `displayWidth` pixels. Never wider than the file (a
 * blurred enlargement helps no one) except by a whole factor of 2 or more, with square pixels; narrower than the
 * file, or too large to embed, it gets a Lanczos-shrunk JPEG preview that links to the full-size file.
 */
export function pageImage(dir: string, file: string, displayWidth: number): PageImage {
  const bytes = readFileSync(join(dir, file));
  const png = isPng(bytes);
  let decoded = png ? null : decodeImage(bytes);
  if (!png && !decoded) throw new Error(`pageImage: ${file} must be a PNG or JPEG file, got another format.`);
  const natural = png ? pngSize(bytes) : { width: decoded?.width ?? 0, height: decoded?.height ?? 0 };
  const zoom = Math.max(1, Math.floor(displayWidth / natural.width));
  if (displayWidth >= natural.width && bytes.length <= EMBED_MAX_BYTES) {
    return { src: dataUri(png ? 'image/png' : 'image/jpeg', bytes), width: natural.width * zoom, height: natural.height * zoom, pixelated: zoom > 1 };
  }
  decoded ??= decodeImage(bytes);
  if (!decoded) throw new Error(`pageImage: ${file} could not be decoded.`);
  const width = Math.min(displayWidth, natural.width);
  const height = Math.max(1, Math.round((natural.height * width) / natural.width));
  const preview = width < natural.width ? shrinkImage(decoded, width, height) : decoded;
  return { src: dataUri('image/jpeg', encodeJpeg(preview, PREVIEW_QUALITY)), width, height, pixelated: false, full: { file, ...natural } };
}
