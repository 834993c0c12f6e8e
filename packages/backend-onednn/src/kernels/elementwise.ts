/**
 * Element-wise kernels natively: unary maps, binary maps with broadcasting, AddN and Softmax.
 * Only float32 inputs take the native path; other dtypes fall back to the cpu kernels.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { ClipByValueAttrs, LeakyReluAttrs, SoftmaxAttrs, StepAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { alloc, f32, isMissing, jsNumber, output, sizeOf } from './common';
import { addOfZeros, deferredCentered, deferredSquare } from './moments';

/** Op codes of native/elementwise.cc's unary table. */
const UNARY = {
  Relu: 0,
  Relu6: 1,
  Exp: 2,
  Log: 3,
  Neg: 4,
  Sqrt: 5,
  Rsqrt: 6,
  Square: 7,
  Abs: 8,
  Sigmoid: 9,
  Tanh: 10,
  Step: 11,
  Reciprocal: 12,
  Elu: 13,
  LeakyRelu: 14,
  Softplus: 15,
  Log1p: 16,
  ClipByValue: 17,
} as const;

/** Op codes of native/elementwise.cc's binary table. */
const BINARY = {
  Add: 0,
  Sub: 1,
  Multiply: 2,
  RealDiv: 3,
  Maximum: 4,
  Minimum: 5,
  SquaredDifference: 6,
  Pow: 7,
} as const;

/** The attributes as the cpu kernels' arithmetic uses them: a missing one is NaN there, not a default. */
function unaryParams(name: keyof typeof UNARY, attrs: KernelArgs['attrs']): [number, number] {
  switch (name) {
    case 'Step':
      return [jsNumber((attrs as unknown as StepAttrs | undefined)?.alpha), 0];
    case 'LeakyRelu':
      return [jsNumber((attrs as unknown as LeakyReluAttrs | undefined)?.alpha), 0];
    case 'ClipByValue': {
      const a = attrs as unknown as ClipByValueAttrs | undefined;
      return [jsNumber(a?.clipValueMin), jsNumber(a?.clipValueMax)];
    }
    default:
      return [0, 0];
  }
}

function unary(name: keyof typeof UNARY): NativeKernel {
  const op = UNARY[name];
  return {
    kernelName: name,
    run(args: KernelArgs): TensorInfo | null {
      const { inputs, backend, attrs } = args;
      const { x } = inputs;
      if (name === 'Square') {
        const deferred = deferredSquare(args);
        if (deferred !== null) return deferred;
      }
      const xv = f32(backend, x);
      if (isMissing(x) || xv === null || xv.length === 0) return null;
      const [alpha, beta] = unaryParams(name, attrs);
      const out = alloc(xv.length);
      nativeAddon().unary(op, xv, out, alpha, beta);
      return output(backend, [...x.shape], out);
    },
  };
}

function binary(name: keyof typeof BINARY): NativeKernel {
  const op = BINARY[name];
  return {
    kernelName: name,
    run(args: KernelArgs): TensorInfo | null {
      const { inputs, backend } = args;
      // Before the values are read: a deferred operand would be computed by reading it.
      const shortcut = name === 'Sub' ? deferredCentered(args) : name === 'Add' ? addOfZeros(args) : null;
      if (shortcut !== null) return shortcut;
      const { a, b } = inputs;
      const av = f32(backend, a);
      const bv = f32(backend, b);
      if (isMissing(a) || isMissing(b) || av === null || bv === null) return null;
      let shape: number[];
      try {
        shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      } catch {
        return null; // the cpu kernel throws tfjs's own message
      }
      const rank = shape.length;
      const size = sizeOf(shape);
      if (size === 0 || rank > 8) return null;
      const shapes = new Int32Array(1 + 3 * rank);
      shapes[0] = rank;
      for (let i = 0; i < rank; i++) {
        shapes[1 + i] = shape[i] as number;
        shapes[1 + rank + i] = a.shape[i - (rank - a.shape.length)] ?? 1;
        shapes[1 + 2 * rank + i] = b.shape[i - (rank - b.shape.length)] ?? 1;
      }
      const out = alloc(size);
      nativeAddon().binary(op, av, bv, out, shapes);
      return output(backend, shape, out);
    },
  };
}

const addN: NativeKernel = {
  kernelName: 'AddN',
  run({ inputs, backend }: KernelArgs): TensorInfo | null {
    const list = Object.values(inputs) as TensorInfo[];
    const first = list[0];
    if (isMissing(first)) return null;
    const values: Float32Array[] = [];
    for (const t of list) {
      const v = f32(backend, t);
      // The cpu kernel adds element by element whatever the shapes; only equal shapes run natively.
      if (v === null || t.shape.length !== first.shape.length || t.shape.some((d, i) => d !== first.shape[i])) return null;
      values.push(v);
    }
    if (values.length === 0 || sizeOf(first.shape) === 0) return null;
    const out = alloc(sizeOf(first.shape));
    nativeAddon().addN(values, out);
    return output(backend, [...first.shape], out);
  },
};

const softmax: NativeKernel = {
  kernelName: 'Softmax',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const { logits } = inputs;
    const v = f32(backend, logits);
    if (isMissing(logits) || v === null || logits.shape.length === 0) return null;
    const rank = logits.shape.length;
    const dim = (attrs as unknown as SoftmaxAttrs).dim;
    if (dim !== -1 && dim !== rank - 1) return null; // the cpu kernel throws for other axes
    const cols = logits.shape[rank - 1] as number;
    if (cols === 0 || v.length === 0) return null;
    const out = alloc(v.length);
    nativeAddon().softmax(v, out, v.length / cols, cols);
    return output(backend, [...logits.shape], out);
  },
};

/** The element-wise kernels this backend runs natively. */
export const elementwiseKernels: NativeKernel[] = [
  ...(Object.keys(UNARY) as Array<keyof typeof UNARY>).map(unary),
  ...(Object.keys(BINARY) as Array<keyof typeof BINARY>).map(binary),
  addN,
  softmax,
];
