/**
 * UnsortedSegmentSum: the gradient of `tf.gather` (reflect padding in @aa/blur, batch permutations in
 * MixUp). The cpu kernel builds one mask and one full reduction per segment, O(segments × size); this
 * is the direct scatter-add, O(size). Plain JavaScript: it is memory-bound and needs no oneDNN.
 */
import type { TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';

import type { KernelArgs, NativeKernel } from './common';
import { alloc, f32, isMissing, isTypedArrayOf, output, sizeOf } from './common';

const unsortedSegmentSum: NativeKernel = {
  kernelName: 'UnsortedSegmentSum',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const { x, segmentIds } = inputs;
    const xv = f32(backend, x);
    if (isMissing(x) || isMissing(segmentIds) || xv === null || segmentIds.dtype !== 'int32' || x.shape.length === 0) return null;
    const stored = backend.data.get(segmentIds.dataId)?.values;
    if (!isTypedArrayOf(stored, 'Int32Array')) return null;
    const ids = stored as Int32Array;
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    // The cpu kernel accepts ids of x's full shape too; only the common 1-D form (one id per row) is done here.
    if (segmentIds.shape.length !== 1 || ids.length !== x.shape[0] || !Number.isInteger(numSegments) || numSegments < 1) return null; // the cpu kernel fails for 0
    const inner = sizeOf(x.shape.slice(1));
    const shape = [numSegments, ...x.shape.slice(1)];
    const out = alloc(sizeOf(shape));
    out.fill(0);
    for (let row = 0; row < ids.length; row++) {
      const seg = ids[row] as number;
      // Ids outside [0, numSegments) contribute nothing, as in the cpu kernel (its masks never match them).
      if (seg < 0 || seg >= numSegments) continue;
      const src = row * inner;
      const dst = seg * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = (out[dst + i] as number) + (xv[src + i] as number);
    }
    return output(backend, shape, out);
  },
};

/** The segment kernels this backend runs itself. */
export const segmentKernels: NativeKernel[] = [unsortedSegmentSum];
