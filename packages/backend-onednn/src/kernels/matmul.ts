/** BatchMatMul and _FusedMatMul on oneDNN's sgemm, with _FusedMatMul's bias and activation fused in. */
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs-core';

import { nativeAddon } from '../native';
import type { KernelArgs, NativeKernel } from './common';
import { activationCode, alloc, f32, isMissing, jsNumber, output, sizeOf } from './common';

function matmul({ inputs, backend, attrs }: KernelArgs, fused: boolean): TensorInfo | null {
  const { a, b } = inputs;
  const at = attrs as unknown as BatchMatMulAttrs & Partial<_FusedMatMulAttrs>;
  if (isMissing(a) || isMissing(b) || a.shape.length < 2 || b.shape.length < 2) return null;
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (av === null || bv === null) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const ta = at.transposeA === true;
  const tb = at.transposeB === true;
  const k = (ta ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const kb = (tb ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const m = (ta ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const n = (tb ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  if (k !== kb) return null; // the cpu kernel reports the mismatch
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const batch = sizeOf(outer);
  // Broadcasting of one operand's whole batch is supported; anything finer goes to the cpu.
  if (!(batchA === batchB || batchA === 1 || batchB === 1) || batch !== Math.max(batchA, batchB)) return null;
  if (m * n * batch === 0) return null;
  if ([batchA, batchB, m, n, k].some((v) => v > 0x7fffffff)) return null; // the addon takes them as int32
  let act = 0;
  let alpha = 0;
  let bias: Float32Array | null = null;
  let biasLen = 0;
  if (fused) {
    const code = activationCode(at.activation);
    if (code === null) return null;
    act = code;
    alpha = jsNumber(at.leakyreluAlpha); // NaN when missing, as in the cpu kernel
    if (!isMissing(inputs.bias)) {
      bias = f32(backend, inputs.bias);
      if (bias === null) return null;
      const bs = inputs.bias.shape;
      // A bias of higher rank than the product would raise the rank of the cpu kernel's output.
      if (bs.length > outer.length + 2) return null;
      if (bias.length === 1) biasLen = 1;
      else if (bias.length === n && bs[bs.length - 1] === n) biasLen = n;
      else return null;
    }
  }
  const out = alloc(batch * m * n);
  const params = Int32Array.of(batchA, batchB, m, n, k, ta ? 1 : 0, tb ? 1 : 0, biasLen);
  nativeAddon().matmul(av, bv, bias, out, params, act, alpha);
  return output(backend, [...outer, m, n], out);
}

/** The matrix-product kernels this backend runs natively. */
export const matmulKernels: NativeKernel[] = [
  { kernelName: 'BatchMatMul', run: (args) => matmul(args, false) },
  { kernelName: '_FusedMatMul', run: (args) => matmul(args, true) },
];
