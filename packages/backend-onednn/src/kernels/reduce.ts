/** Sum, Mean, Max, Min and Prod over any axes natively, with no transpose first (see native/reduce.cc). */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { alloc, f32, isMissing, output, sizeOf } from './common';
import { takeBiasGradient } from './biasGradient';
import { noteMean, varianceOfDeferred } from './moments';

const OPS = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4 } as const;

function reduction(name: keyof typeof OPS): NativeKernel {
  const op = OPS[name];
  return {
    kernelName: name,
    run(args: KernelArgs): TensorInfo | null {
      const { inputs, backend, attrs } = args;
      const { x } = inputs;
      if (isMissing(x)) return null;
      const a = (attrs ?? {}) as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims?: boolean };
      let axes: number[];
      try {
        axes = util.parseAxisParam(name === 'Max' ? (a.reductionIndices as number | number[]) : (a.axis as number | number[]), x.shape);
      } catch {
        return null;
      }
      // Repeated axes ([0, 0]) give the cpu kernels another output shape: leave them to the cpu.
      if (new Set(axes).size !== axes.length) return null;
      let [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
      if (a.keepDims === true) outShape = backend_util.expandShapeToKeepDim(outShape, axes);
      // A convolution's bias gradient, computed with its filter gradient (biasGradient.ts).
      if (name === 'Sum' && x.shape.length === 4 && a.keepDims !== true && [...axes].sort().join() === '0,1,2') {
        const bias = takeBiasGradient(x.dataId, x.shape[3] as number);
        if (bias !== undefined) return output(backend, outShape, bias);
      }
      // tf.moments' variance: computed from x and its mean without the deferred square (moments.ts).
      if (name === 'Mean' && x.dtype === 'float32') {
        const variance = varianceOfDeferred(args, axes, outShape);
        if (variance !== null) return variance;
      }
      const xv = f32(backend, x);
      if (xv === null || xv.length === 0) return null;
      const rank = x.shape.length;
      const reduced = new Int32Array(rank);
      for (const ax of axes) reduced[ax] = 1;
      const out = alloc(sizeOf(outShape));
      nativeAddon().reduce(op, xv, out, Int32Array.from(x.shape), reduced);
      const info = output(backend, outShape, out);
      if (name === 'Mean') noteMean(x, info, axes);
      return info;
    },
  };
}

/** The reduction kernels this backend runs natively. */
export const reduceKernels: NativeKernel[] = (Object.keys(OPS) as Array<keyof typeof OPS>).map(reduction);
