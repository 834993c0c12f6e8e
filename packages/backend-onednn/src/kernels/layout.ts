/** Data movement natively: Transpose, Tile, PadV2, MirrorPad, Concat and non-contiguous Slice (float32). */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { ConcatAttrs, MirrorPadAttrs, PadV2Attrs, SliceAttrs, TensorInfo, TileAttrs, TransposeAttrs } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { allInts, alloc, f32, int32s, isMissing, output, sizeOf } from './common';

const transpose: NativeKernel = {
  kernelName: 'Transpose',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (isMissing(x) || xv === null || xv.length === 0 || x.shape.length === 0) return null;
    const { perm } = attrs as unknown as TransposeAttrs;
    // tfjs accepts repeated axes ([2, 2, 2]), whose output has another element count: the cpu
    // kernel's business. Only true permutations run natively.
    if (!Array.isArray(perm) || perm.length !== x.shape.length || !allInts(perm, 0, x.shape.length - 1) || new Set(perm).size !== perm.length) {
      return null;
    }
    const shape = perm.map((p) => x.shape[p] as number);
    const out = alloc(xv.length);
    nativeAddon().transpose(xv, out, Int32Array.from(x.shape), Int32Array.from(perm));
    return output(backend, shape, out);
  },
};

const tile: NativeKernel = {
  kernelName: 'Tile',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (isMissing(x) || xv === null || xv.length === 0 || x.shape.length === 0) return null;
    const { reps } = attrs as unknown as TileAttrs;
    if (!Array.isArray(reps) || reps.length !== x.shape.length || !allInts(reps, 0)) return null;
    const shape = x.shape.map((d, i) => d * (reps[i] as number));
    const size = sizeOf(shape);
    if (size === 0 || int32s(shape) === null) return null;
    const out = alloc(size);
    nativeAddon().tile(xv, out, Int32Array.from(x.shape), Int32Array.from(reps));
    return output(backend, shape, out);
  },
};

function pad(args: KernelArgs, mode: number): TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const xv = f32(backend, x);
  if (isMissing(x) || xv === null || xv.length === 0 || x.shape.length === 0) return null;
  const paddings = (attrs as unknown as PadV2Attrs | MirrorPadAttrs).paddings;
  if (!Array.isArray(paddings) || paddings.length !== x.shape.length || !paddings.every((p) => Array.isArray(p) && p.length === 2 && allInts(p, 0))) return null;
  const before = Int32Array.from(paddings.map((p) => p[0]));
  const after = Int32Array.from(paddings.map((p) => p[1]));
  if (mode !== 0) {
    // Mirror padding cannot reach further than the edge (reflect) or the edge itself (symmetric).
    const limit = (d: number) => (mode === 1 ? d - 1 : d);
    if (x.shape.some((d, i) => (before[i] as number) > limit(d) || (after[i] as number) > limit(d))) return null;
  }
  const shape = x.shape.map((d, i) => d + (before[i] as number) + (after[i] as number));
  if (int32s(shape) === null) return null;
  const value = mode === 0 ? (attrs as unknown as PadV2Attrs).constantValue ?? 0 : 0;
  const out = alloc(sizeOf(shape));
  nativeAddon().pad(xv, out, Int32Array.from(x.shape), before, after, mode, value);
  return output(backend, shape, out);
}

const slice: NativeKernel = {
  kernelName: 'Slice',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const { x } = inputs;
    const xv = f32(backend, x);
    if (isMissing(x) || xv === null || x.shape.length === 0) return null;
    const a = attrs as unknown as SliceAttrs;
    let begin: number[];
    let size: number[];
    try {
      const parsed = slice_util.parseSliceParams(x, a.begin, a.size);
      begin = parsed[0] ?? [];
      size = parsed[1] ?? [];
      slice_util.assertParamsValid(x, begin, size);
    } catch {
      return null; // the cpu kernel throws tfjs's own message
    }
    // tfjs does not check negative begins: out-of-range slices are the cpu kernel's (it throws
    // "Requested out of range element", or returns what its view gives).
    const inside = begin.length === x.shape.length && size.length === x.shape.length &&
      x.shape.every((d, i) => allInts([begin[i], size[i]], 0) && (begin[i] as number) + (size[i] as number) <= d);
    // A contiguous slice is a zero-copy view in the cpu kernel: nothing to gain.
    if (!inside || sizeOf(size) === 0 || slice_util.isSliceContinous(x.shape, begin, size)) return null;
    const out = alloc(sizeOf(size));
    const ones = new Int32Array(size.length).fill(1);
    nativeAddon().slice(xv, out, Int32Array.from(x.shape), Int32Array.from(begin), Int32Array.from(size), ones);
    return output(backend, size, out);
  },
};

const concat: NativeKernel = {
  kernelName: 'Concat',
  run({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
    const all = Object.values(inputs) as TensorInfo[];
    if (all.length === 0 || all.some((t) => isMissing(t))) return null;
    let axis: number;
    let shape: number[];
    try {
      // Checked on every input, empty ones included, as the cpu kernel does (it throws tfjs's message).
      axis = util.parseAxisParam((attrs as unknown as ConcatAttrs).axis, (all[0] as TensorInfo).shape)[0] as number;
      backend_util.assertParamsConsistent(all.map((t) => t.shape), axis);
      shape = backend_util.computeOutShape(all.map((t) => t.shape), axis);
    } catch {
      return null;
    }
    // The cpu kernel gives the output the first input's dtype, even when that input is empty.
    if (all.some((t) => t.dtype !== 'float32')) return null;
    const list = all.filter((t) => sizeOf(t.shape) > 0);
    const first = list[0];
    // One non-empty input is an identity (zero-copy) in the cpu kernel.
    if (first === undefined || list.length < 2) return null;
    const values: Float32Array[] = [];
    for (const t of list) {
      const v = f32(backend, t);
      if (v === null) return null;
      values.push(v);
    }
    const outer = sizeOf(first.shape.slice(0, axis));
    const innerSizes = list.map((t) => sizeOf(t.shape.slice(axis)));
    if (innerSizes.some((v) => v > 0x7fffffff)) return null; // the addon takes them as int32
    const inners = Int32Array.from(innerSizes);
    const out = alloc(sizeOf(shape));
    nativeAddon().concat(values, out, outer, inners);
    return output(backend, shape, out);
  },
};

/** The data-movement kernels this backend runs natively. */
export const layoutKernels: NativeKernel[] = [
  transpose,
  tile,
  { kernelName: 'PadV2', run: (args) => pad(args, 0) },
  {
    kernelName: 'MirrorPad',
    run: (args) => pad(args, (args.attrs as unknown as MirrorPadAttrs).mode === 'reflect' ? 1 : 2),
  },
  slice,
  concat,
];
