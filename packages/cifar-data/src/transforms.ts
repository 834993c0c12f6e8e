import * as tf from '@tensorflow/tfjs';
import type { Rng } from './random';
import { createRng, randomInt, randomSeed } from './random';
import type { LabeledImages } from './types';
import { assertInt, assertNumber, describe, fail } from './validate';

/** One step of a {@link Transform}; plain data, so a pipeline can be printed, compared and stored. */
export type TransformStep =
  | { readonly kind: 'crop'; readonly top: number; readonly left: number; readonly height: number; readonly width: number }
  | { readonly kind: 'randomCrop'; readonly height: number; readonly width: number }
  | { readonly kind: 'centerCrop'; readonly height: number; readonly width: number }
  | { readonly kind: 'horizontalFlip'; readonly p: number }
  | { readonly kind: 'normalize'; readonly mean: readonly number[]; readonly std: readonly number[] };

/**
 * A per-image augmentation pipeline applied to uint8 images while a float32 batch is written (the
 * chapter's `transforms.Compose([..., ToTensor()])`: the output is always float32 in [0, 1], or
 * normalised if the pipeline has a {@link normalize} step). Build with {@link randomCrop},
 * {@link centerCrop}, {@link crop}, {@link randomHorizontalFlip}, {@link normalize} and {@link compose}.
 */
export interface Transform {
  /** The steps, applied in order to each image. */
  readonly steps: readonly TransformStep[];
}

/** A crop size: one number for a square, or `[height, width]`. */
export type CropSize = number | readonly [number, number];

function cropSize(fn: string, size: unknown): [number, number] {
  if (typeof size === 'number') {
    assertInt(fn, 'size', size, 1);
    return [size, size];
  }
  if (Array.isArray(size) && size.length === 2) {
    assertInt(fn, 'size[0]', size[0], 1);
    assertInt(fn, 'size[1]', size[1], 1);
    return [size[0] as number, size[1] as number];
  }
  return fail(fn, 'size', size, 'a positive integer or [height, width]');
}

/** Crops a fixed window: rows `top..top+h-1`, columns `left..left+w-1` of the current image. */
export function crop(top: number, left: number, size: CropSize): Transform {
  assertInt('crop', 'top', top, 0);
  assertInt('crop', 'left', left, 0);
  const [height, width] = cropSize('crop', size);
  return { steps: [{ kind: 'crop', top, left, height, width }] };
}

/**
 * Crops a window at a uniformly random position (torchvision `RandomCrop` without padding): top in
 * `0..H-h`, left in `0..W-w`, both inclusive, drawn from the seeded generator.
 */
export function randomCrop(size: CropSize): Transform {
  const [height, width] = cropSize('randomCrop', size);
  return { steps: [{ kind: 'randomCrop', height, width }] };
}

/**
 * Crops the central window (torchvision `CenterCrop`): top `round((H-h)/2)`, left `round((W-w)/2)`,
 * with Python's round-half-to-even, so odd margins match torchvision exactly.
 */
export function centerCrop(size: CropSize): Transform {
  const [height, width] = cropSize('centerCrop', size);
  return { steps: [{ kind: 'centerCrop', height, width }] };
}

/** Options of {@link randomHorizontalFlip}. */
export interface FlipOptions {
  /** Probability of mirroring each image (default 0.5). */
  p?: number;
}

/** Mirrors each image left-right with probability `p` (torchvision `RandomHorizontalFlip`). */
export function randomHorizontalFlip(options: FlipOptions = {}): Transform {
  if (typeof options !== 'object' || options === null) fail('randomHorizontalFlip', 'options', options, 'an options object { p } or undefined');
  const { p = 0.5 } = options;
  assertNumber('randomHorizontalFlip', 'p', p, 0, 1);
  return { steps: [{ kind: 'horizontalFlip', p }] };
}

/** Options of {@link normalize}: per-channel statistics of the [0, 1] values. */
export interface NormalizeOptions {
  /** Mean per channel (or one value for all channels). */
  mean: readonly number[];
  /** Standard deviation per channel (or one value for all), each > 0. */
  std: readonly number[];
}

/**
 * Maps each [0, 1] value `v` of channel `c` to `(v - mean[c]) / std[c]` (torchvision `Normalize`
 * after `ToTensor`), computed in float32 like PyTorch. {@link channelStats} measures mean and std.
 */
export function normalize(options: NormalizeOptions): Transform {
  if (typeof options !== 'object' || options === null) fail('normalize', 'options', options, 'an object { mean, std }, e.g. from channelStats');
  const { mean, std } = options;
  for (const [name, values] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (!Array.isArray(values) || values.length === 0) fail('normalize', name, values, 'a non-empty array of numbers (one per channel)');
    values.forEach((v: unknown, i: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || (name === 'std' && v <= 0)) {
        fail('normalize', `${name}[${i}]`, v, name === 'std' ? 'a finite number > 0' : 'a finite number');
      }
    });
  }
  return { steps: [{ kind: 'normalize', mean: [...mean], std: [...std] }] };
}

/** Chains transforms left to right (torchvision `Compose`). `compose()` is the identity: plain `ToTensor`. */
export function compose(...transforms: Transform[]): Transform {
  transforms.forEach((t, i) => {
    if (typeof t !== 'object' || t === null || !Array.isArray((t as Transform).steps)) {
      fail('compose', `transforms[${i}]`, t, 'a Transform made by randomCrop, centerCrop, crop, randomHorizontalFlip, normalize or compose');
    }
  });
  return { steps: transforms.flatMap((t) => t.steps) };
}

/** Checks one step as the builder that makes it would, so hand-made or stored steps get the same checks. */
function assertStep(fn: string, step: unknown): asserts step is TransformStep {
  if (typeof step !== 'object' || step === null) fail(fn, 'transform step', step, 'a step object made by randomCrop, centerCrop, crop, randomHorizontalFlip or normalize');
  const s = step as Record<string, unknown>;
  const name = `transform step '${String(s.kind)}'`;
  switch (s.kind) {
    case 'crop':
    case 'randomCrop':
    case 'centerCrop':
      if (s.kind === 'crop') {
        assertInt(fn, `${name} top`, s.top, 0);
        assertInt(fn, `${name} left`, s.left, 0);
      }
      assertInt(fn, `${name} height`, s.height, 1);
      assertInt(fn, `${name} width`, s.width, 1);
      return;
    case 'horizontalFlip':
      assertNumber(fn, `${name} p`, s.p, 0, 1);
      return;
    case 'normalize':
      for (const key of ['mean', 'std'] as const) {
        const vals = s[key];
        if (!Array.isArray(vals) || vals.length === 0) fail(fn, `${name} ${key}`, vals, 'a non-empty array of numbers');
        vals.forEach((v: unknown, i: number) => {
          if (typeof v !== 'number' || !Number.isFinite(v) || (key === 'std' && v <= 0)) {
            fail(fn, `${name} ${key}[${i}]`, v, key === 'std' ? 'a finite number > 0' : 'a finite number');
          }
        });
      }
      return;
    default:
      throw new Error(`${fn}: unknown transform step ${describe(step)} (${JSON.stringify(step)}); allowed kinds are crop, randomCrop, centerCrop, horizontalFlip, normalize.`);
  }
}

/** Python's `round`: halves go to the even neighbour (what torchvision's CenterCrop uses). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Where one image's window lies in its source, after all geometric steps. */
interface Window {
  top: number;
  left: number;
  flip: boolean;
}

/** A transform checked against an input size and ready to write images. */
export interface CompiledTransform {
  /** Output height. */
  readonly height: number;
  /** Output width. */
  readonly width: number;
  /** Channels (unchanged). */
  readonly channels: number;
  /** Floats written per image. */
  readonly size: number;
  /** Writes image `index` of `images`, transformed, at `out[offset..offset+size)`. */
  write(images: Uint8Array, index: number, out: Float32Array, offset: number, rng: Rng): void;
}

/**
 * Checks `transform` against `[H, W, C]` inputs once (crop sizes, channel counts) and returns a writer.
 * Pixel values go through a 256-entry lookup table per channel holding ToTensor and every normalise
 * step evaluated in float32, so the values equal PyTorch's bit for bit and cost one load each.
 * @param fn the public function name, for messages.
 */
export function compileTransform(fn: string, transform: Transform, H: number, W: number, C: number): CompiledTransform {
  if (typeof transform !== 'object' || transform === null || !Array.isArray(transform.steps)) {
    fail(fn, 'transform', transform, 'a Transform (from randomCrop, centerCrop, crop, randomHorizontalFlip, normalize or compose)');
  }
  const f = Math.fround;
  const lut = new Float32Array(256 * C);
  for (let c = 0; c < C; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(v / 255);
  const geometry: TransformStep[] = [];
  let h = H;
  let w = W;
  for (const step of transform.steps) {
    // Steps are plain data that may have been stored and read back: re-check what the builders check,
    // since a negative or fractional offset would read another image's bytes (or NaN) without an error.
    assertStep(fn, step);
    switch (step.kind) {
      case 'normalize': {
        for (const [name, vals] of [
          ['mean', step.mean],
          ['std', step.std],
        ] as const) {
          if (vals.length !== 1 && vals.length !== C) {
            throw new Error(`${fn}: normalize ${name} has ${vals.length} values but the images have ${C} channels; give 1 or ${C}.`);
          }
        }
        for (let c = 0; c < C; c++) {
          const m = f(step.mean.length === 1 ? step.mean[0]! : step.mean[c]!);
          const s = f(step.std.length === 1 ? step.std[0]! : step.std[c]!);
          for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(f(lut[c * 256 + v]! - m) / s);
        }
        break;
      }
      case 'horizontalFlip':
        geometry.push(step);
        break;
      case 'crop':
      case 'randomCrop':
      case 'centerCrop': {
        const top = step.kind === 'crop' ? step.top : 0;
        const left = step.kind === 'crop' ? step.left : 0;
        if (top + step.height > h || left + step.width > w) {
          const what = step.kind === 'crop' ? `crop(${top}, ${left}, [${step.height}, ${step.width}])` : `${step.kind}([${step.height}, ${step.width}])`;
          throw new Error(`${fn}: transform step ${what} does not fit the ${h}x${w} image it receives (from ${H}x${W} inputs).`);
        }
        geometry.push(step);
        h = step.height;
        w = step.width;
        break;
      }
      default:
        throw new Error(`${fn}: unknown transform step ${describe(step)} (${JSON.stringify(step)}).`);
    }
  }
  const outH = h;
  const outW = w;
  const win: Window = { top: 0, left: 0, flip: false };
  const place = (curW: number, t: number, l: number, cw: number): void => {
    // A crop is expressed in the current (possibly mirrored) view; map its left edge back to the source.
    win.top += t;
    win.left += win.flip ? curW - l - cw : l;
  };
  const lut0 = lut.subarray(0, 256);
  const lut1 = lut.subarray(256, 512);
  const lut2 = lut.subarray(512, 768);
  const rowStride = W * C;
  return {
    height: outH,
    width: outW,
    channels: C,
    size: outH * outW * C,
    write(images, index, out, offset, rng) {
      win.top = 0;
      win.left = 0;
      win.flip = false;
      let ch = H;
      let cw = W;
      for (const step of geometry) {
        if (step.kind === 'horizontalFlip') {
          if (rng.random() < step.p) win.flip = !win.flip;
        } else if (step.kind === 'crop') {
          place(cw, step.top, step.left, step.width);
          ch = step.height;
          cw = step.width;
        } else if (step.kind === 'randomCrop') {
          // Top first, then left: torchvision's draw order.
          const t = randomInt(rng, ch - step.height + 1);
          const l = randomInt(rng, cw - step.width + 1);
          place(cw, t, l, step.width);
          ch = step.height;
          cw = step.width;
        } else if (step.kind === 'centerCrop') {
          place(cw, roundHalfEven((ch - step.height) / 2), roundHalfEven((cw - step.width) / 2), step.width);
          ch = step.height;
          cw = step.width;
        }
      }
      const base = index * H * rowStride;
      let o = offset;
      if (C === 3) {
        for (let y = 0; y < outH; y++) {
          let s = base + (win.top + y) * rowStride + win.left * 3;
          if (!win.flip) {
            for (let x = 0; x < outW; x++, s += 3, o += 3) {
              out[o] = lut0[images[s]!]!;
              out[o + 1] = lut1[images[s + 1]!]!;
              out[o + 2] = lut2[images[s + 2]!]!;
            }
          } else {
            s += (outW - 1) * 3;
            for (let x = 0; x < outW; x++, s -= 3, o += 3) {
              out[o] = lut0[images[s]!]!;
              out[o + 1] = lut1[images[s + 1]!]!;
              out[o + 2] = lut2[images[s + 2]!]!;
            }
          }
        }
      } else {
        for (let y = 0; y < outH; y++) {
          const row = base + (win.top + y) * rowStride;
          for (let x = 0; x < outW; x++) {
            const s = row + (win.left + (win.flip ? outW - 1 - x : x)) * C;
            for (let c = 0; c < C; c++) out[o++] = lut[c * 256 + images[s + c]!]!;
          }
        }
      }
    },
  };
}

/** Checks that `set` is a {@link LabeledImages} whose arrays match its declared shape. */
export function assertLabeledImages(fn: string, set: unknown): asserts set is LabeledImages {
  if (typeof set !== 'object' || set === null) fail(fn, 'images', set, 'a LabeledImages object such as data.train');
  const s = set as Partial<LabeledImages>;
  if (!(s.images instanceof Uint8Array)) fail(fn, 'images.images', s.images, 'a Uint8Array of NHWC pixels');
  for (const k of ['count', 'height', 'width', 'channels'] as const) assertInt(fn, `images.${k}`, s[k], k === 'count' ? 0 : 1);
  const { count, height, width, channels } = s as LabeledImages;
  if (s.images.length !== count * height * width * channels) {
    throw new Error(
      `${fn}: images.images has ${s.images.length} bytes but count x height x width x channels = ${count} x ${height} x ${width} x ${channels} = ${count * height * width * channels}.`,
    );
  }
  if (s.labels === undefined || s.labels === null || typeof (s.labels as ArrayLike<number>).length !== 'number') {
    fail(fn, 'images.labels', s.labels, 'an array or typed array of class indices');
  }
  if (s.labels.length !== count) throw new Error(`${fn}: images.labels has ${s.labels.length} entries, expected count = ${count}.`);
  // Labels end up in an Int32Array, which would silently truncate 2.5 to 2 and turn NaN or -1 into 0 or
  // -1; unsigned integer arrays (CIFAR's Uint8Array) need no scan.
  if (!(s.labels instanceof Uint8Array || s.labels instanceof Uint16Array)) {
    const labels = s.labels as ArrayLike<unknown>;
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) fail(fn, `images.labels[${i}]`, v, 'a class index (an integer >= 0)');
    }
  }
}

/** Options of {@link transformImages}. */
export interface TransformImagesOptions {
  /** The pipeline (default: none, i.e. plain conversion to [0, 1]). */
  transform?: Transform;
  /** Seed of the random steps (default: a random seed). */
  seed?: number;
}

/**
 * Converts the chosen images to one float32 batch `[indices.length, h, w, C]`, applying `transform`
 * per image (random steps drawn from `seed`). The crop and conversion run in plain typed-array
 * loops into one Float32Array, and one tensor is made from it.
 */
export function transformImages(set: LabeledImages, indices: ArrayLike<number>, { transform = compose(), seed = randomSeed() }: TransformImagesOptions = {}): tf.Tensor4D {
  const fn = 'transformImages';
  assertLabeledImages(fn, set);
  assertIndices(fn, indices, set.count);
  assertInt(fn, 'options.seed', seed, -2147483648, 4294967295);
  const compiled = compileTransform(fn, transform, set.height, set.width, set.channels);
  return writeBatch(compiled, set, indices, 0, indices.length, createRng(seed));
}

/** Checks that every index is an integer in `[0, count)`. */
export function assertIndices(fn: string, indices: unknown, count: number): asserts indices is ArrayLike<number> {
  if (indices === null || typeof indices !== 'object' || typeof (indices as ArrayLike<number>).length !== 'number') {
    fail(fn, 'indices', indices, 'an array or typed array of image indices');
  }
  const arr = indices as ArrayLike<number>;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= count) fail(fn, `indices[${i}]`, v, `an integer in [0, ${count - 1}]`);
  }
}

/** Writes images `order[start..end)` through `compiled` into one float32 tensor `[end-start, h, w, C]`. */
export function writeBatch(compiled: CompiledTransform, set: LabeledImages, order: ArrayLike<number>, start: number, end: number, rng: Rng): tf.Tensor4D {
  const n = end - start;
  const out = new Float32Array(n * compiled.size);
  for (let i = 0; i < n; i++) compiled.write(set.images, order[start + i]!, out, i * compiled.size, rng);
  return tf.tensor4d(out, [n, compiled.height, compiled.width, compiled.channels], 'float32');
}
