import * as tf from '@tensorflow/tfjs';

/**
 * How `blur` pads the spatial axes before filtering: `'valid'` not at all, `'same'` with zeros,
 * `'reflect'` mirrored without repeating the edge, `'replicate'` by repeating the edge cell.
 * (antialiased-cnns calls the last three `'zero'`, `'reflect'` and `'replicate'`.)
 */
export type BlurPadding = 'valid' | 'same' | 'reflect' | 'replicate';

/** The allowed values of {@link BlurPadding}, for validation and docs. */
export const BLUR_PADDINGS: readonly BlurPadding[] = ['valid', 'same', 'reflect', 'replicate'];

/** True for the paddings that copy input cells (and so need a gathered copy rather than the convolution's zeros). */
export function copiesCells(padding: BlurPadding): padding is 'reflect' | 'replicate' {
  return padding === 'reflect' || padding === 'replicate';
}

/**
 * Padding before and after each spatial axis for a filter of length `kernelSize`:
 * `(k-1)//2` before and the rest after, as PyTorch's reference pads. `'valid'` pads nothing.
 */
export function paddingAmounts(kernelSize: number, padding: BlurPadding): [number, number] {
  if (padding === 'valid') return [0, 0];
  const before = Math.floor((kernelSize - 1) / 2);
  return [before, kernelSize - 1 - before];
}

/**
 * Index map of reflect padding along an axis of length `n`: mirror without repeating the edge
 * (`[c b | a b c d | c b]`), as `torch.nn.functional.pad(mode='reflect')` and `tf.mirrorPad('reflect')`.
 * Requires `before < n` and `after < n`.
 */
export function reflectIndices(n: number, before: number, after: number): Int32Array {
  const out = new Int32Array(n + before + after);
  for (let i = 0; i < out.length; i++) {
    let j = i - before;
    if (j < 0) j = -j;
    else if (j >= n) j = 2 * (n - 1) - j;
    out[i] = j;
  }
  return out;
}

/**
 * Index map of replicate padding along an axis of length `n`: the edge cell repeated
 * (`[a a | a b c d | d d]`), as `torch.nn.functional.pad(mode='replicate')`. Any `n >= 1` works.
 */
export function replicateIndices(n: number, before: number, after: number): Int32Array {
  const out = new Int32Array(n + before + after);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(n - 1, Math.max(0, i - before));
  return out;
}

/**
 * Pads `axis` of `x` with `before`/`after` cells: zeros (`'same'`), mirrored (`'reflect'`) or
 * repeated edge cells (`'replicate'`).
 *
 * Copied cells go through `tf.gather` rather than `tf.mirrorPad`: in tfjs 4.22 the gradient of
 * `mirrorPad` only slices the upstream gradient and drops what flowed through the mirrored cells,
 * so the border gradients would be wrong. `gather`'s gradient (a segment sum) adds them back, and
 * it serves replicate padding (which tfjs has no op for) the same way.
 */
export function padAxis(x: tf.Tensor, axis: number, before: number, after: number, padding: BlurPadding): tf.Tensor {
  if (before === 0 && after === 0) return x;
  if (copiesCells(padding)) {
    const n = x.shape[axis] as number;
    const indices = padding === 'reflect' ? reflectIndices(n, before, after) : replicateIndices(n, before, after);
    return tf.tidy(() => tf.gather(x, tf.tensor1d(indices, 'int32'), axis));
  }
  const pads = x.shape.map((_, i) => (i === axis ? [before, after] : [0, 0]) as [number, number]);
  return tf.pad(x, pads);
}
