/**
 * Random and adversarial kernel calls for the fuzz test: every native kernel with geometries tfjs's
 * ops would never produce but `runKernel` accepts — repeated, negative and out-of-range axes,
 * out-of-range slices, mismatched channels and batch sizes, zero-size and huge dimensions, missing
 * attributes, other dtypes. Each case is plain data, so both backends get the same inputs.
 */
import { createRng } from './rng';
import type { Rng } from './rng';

/** One input tensor: shape, dtype and values. */
export interface TensorData {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

/** One call of `tf.engine().runKernel(kernel, inputs, attrs)`. */
export interface KernelCase {
  kernel: string;
  inputs: Record<string, TensorData> | TensorData[];
  attrs: Record<string, unknown>;
}

/** Helpers over one seeded stream. */
class Gen {
  constructor(private readonly rng: Rng) {}

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng.random() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.rng.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  shape(rank: number, lo: number, hi: number): number[] {
    return Array.from({ length: rank }, () => this.int(lo, hi));
  }

  /** Values in [-2, 2); with `specials`, some NaN, infinities and signed zeros. */
  tensor(shape: number[], { specials = false, dtype = 'float32' }: { specials?: boolean; dtype?: 'float32' | 'int32' } = {}): TensorData {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    const odd = [NaN, Infinity, -Infinity, 0, -0, 1, -1];
    for (let i = 0; i < n; i++) {
      if (dtype === 'int32') values[i] = this.int(-3, 3);
      else values[i] = specials && this.chance(0.1) ? this.pick(odd) : this.rng.random() * 4 - 2;
    }
    return { shape, dtype, values };
  }

  /** Usually `d`, sometimes a neighbour (adversarial sizes: mismatched channels, batches, spatial sizes). */
  near(d: number, p = 0.2): number {
    return this.chance(p) ? Math.max(this.chance(0.2) ? 0 : 1, d + this.pick([-1, 1, 2])) : d;
  }

  /** A float32 tensor, sometimes int32 (the native kernels leave those to the cpu kernels). */
  floatish(shape: number[], specials = false): TensorData {
    return this.tensor(shape, { specials, dtype: this.chance(0.05) ? 'int32' : 'float32' });
  }
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu', undefined] as const;

function convPad(g: Gen): unknown {
  switch (g.int(0, 4)) {
    case 0:
      return 'same';
    case 1:
      return 'valid';
    case 2:
      return g.int(0, 2);
    case 3:
      return [[0, 0], [g.int(0, 2), g.int(0, 2)], [g.int(0, 2), g.int(0, 2)], [0, 0]];
    default:
      return g.pick(['same', 'valid', 1, 'SAME', -1]);
  }
}

function convAttrs(g: Gen, depthwise: boolean): Record<string, unknown> {
  const attrs: Record<string, unknown> = {
    strides: g.chance(0.5) ? g.int(1, 3) : [g.int(1, 3), g.int(1, 2)],
    pad: convPad(g),
    dataFormat: g.chance(0.95) ? 'NHWC' : 'NCHW',
    dilations: g.chance(0.7) ? 1 : [g.int(1, 2), g.int(1, 3)],
  };
  if (typeof attrs.pad === 'number' && g.chance(0.5)) attrs.dimRoundingMode = g.pick(['floor', 'round', 'ceil']);
  if (depthwise) delete attrs.dataFormat;
  return attrs;
}

/** Forward convolutions: Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D. */
function convForward(g: Gen): KernelCase {
  const depthwise = g.chance(0.4);
  const fused = g.chance(0.5);
  const [n, h, w, c] = [g.int(1, 2), g.int(1, 6), g.int(1, 6), g.int(1, 3)];
  const fh = g.int(1, 3);
  const fw = g.int(1, 3);
  const cf = g.near(c, 0.25); // the filter's input channels: mismatched in a quarter of the cases
  const m = g.int(1, 3);
  const attrs = convAttrs(g, depthwise);
  const inputs: Record<string, TensorData> = { x: g.floatish([n, h, w, c]), filter: g.floatish([fh, fw, cf, m]) };
  let kernel = depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
  if (fused) {
    kernel = depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D';
    const out = depthwise ? c * m : m;
    const activation = g.pick(ACTIVATIONS);
    if (activation !== undefined) attrs.activation = activation;
    if (activation === 'leakyrelu' && g.chance(0.5)) attrs.leakyreluAlpha = g.pick([0.1, 0.3, -0.5]);
    if (g.chance(0.7)) inputs.bias = g.tensor(g.pick([[out], [1], [g.near(out, 1)], [1, 1, 1, out], [1, 1, 1, 1, out]]));
    if (activation === 'prelu') inputs.preluActivationWeights = g.tensor([out]);
  }
  return { kernel, inputs, attrs };
}

/** tfjs's output size for one spatial axis of a convolution or pooling (the cpu kernels' geometry), or -1. */
function outSize(inSize: number, filter: number, stride: number, dilation: number, pad: unknown, axis: number): number {
  const span = (filter - 1) * dilation + 1;
  if (pad === 'same') return Math.ceil(inSize / stride);
  if (pad === 'valid') return Math.ceil((inSize - span + 1) / stride);
  if (typeof pad === 'number') return Math.floor((inSize - span + 2 * pad) / stride + 1);
  if (Array.isArray(pad)) {
    const p = pad[axis] as [number, number];
    return Math.floor((inSize + p[0] + p[1] - span) / stride + 1);
  }
  return -1;
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
}

/** Conv2DBackpropInput/Filter and the depthwise ones, with dy mostly of the forward output's shape. */
function convBackprop(g: Gen): KernelCase {
  const depthwise = g.chance(0.4);
  const toInput = g.chance(0.5);
  const [n, h, w, c] = [g.int(1, 2), g.int(1, 6), g.int(1, 6), g.int(1, 3)];
  const [fh, fw, m] = [g.int(1, 3), g.int(1, 3), g.int(1, 3)];
  const attrs = convAttrs(g, depthwise);
  if (!depthwise) attrs.dilations = 1; // tfjs's plain backprops take no dilation
  const [sh, sw] = pair(attrs.strides);
  const [dh, dw] = depthwise ? pair(attrs.dilations) : [1, 1];
  const oh = Math.max(1, outSize(h, fh, sh, dh, attrs.pad, 1));
  const ow = Math.max(1, outSize(w, fw, sw, dw, attrs.pad, 2));
  const oc = depthwise ? c * m : m;
  const dy = g.floatish([g.near(n, 0.1), g.near(oh, 0.15), g.near(ow, 0.15), g.near(oc, 0.15)]);
  const inShape = [n, h, w, g.near(c, 0.15)];
  const filterShape = [fh, fw, g.near(c, 0.15), m];
  if (toInput) {
    // A huge or non-integer inputShape in a few cases: refused, not allocated.
    // (more than 2^32 elements: the cpu kernel's buffer allocation fails at once instead of taking gigabytes).
    const inputShape = g.chance(0.05) ? g.pick([[1, 2 ** 33, 1, 1], [1, 70000, 70000, 1], [1, 2.5, 3, 1], [1, -2, 3, 1]]) : inShape;
    return {
      kernel: depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput',
      inputs: { dy, filter: g.floatish([fh, fw, c, m]) },
      attrs: { ...attrs, inputShape },
    };
  }
  return {
    kernel: depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter',
    inputs: { x: g.floatish([n, h, w, c]), dy },
    attrs: { ...attrs, filterShape },
  };
}

function poolAttrs(g: Gen): Record<string, unknown> {
  const attrs: Record<string, unknown> = {
    filterSize: g.chance(0.5) ? g.int(1, 3) : [g.int(1, 3), g.int(1, 4)],
    strides: g.chance(0.5) ? g.int(1, 3) : [g.int(1, 3), g.int(1, 2)],
    pad: g.pick(['same', 'valid', 0, 1, 2]),
  };
  if (typeof attrs.pad === 'number' && g.chance(0.5)) attrs.dimRoundingMode = g.pick(['floor', 'round', 'ceil']);
  return attrs;
}

/** MaxPool, AvgPool and their gradients. */
function pool(g: Gen): KernelCase {
  const [n, h, w, c] = [g.int(1, 2), g.int(1, 6), g.int(1, 6), g.int(1, 4)];
  const attrs = poolAttrs(g);
  const x = g.floatish(g.chance(0.05) ? [h, w, c] : [n, h, w, c], g.chance(0.3));
  const kind = g.int(0, 3);
  if (kind < 2) return { kernel: kind === 0 ? 'MaxPool' : 'AvgPool', inputs: { x }, attrs };
  const [fh, fw] = pair(attrs.filterSize);
  const [sh, sw] = pair(attrs.strides);
  const dy = g.floatish([g.near(n, 0.1), g.near(Math.max(1, outSize(h, fh, sh, 1, attrs.pad, 1)), 0.15), g.near(Math.max(1, outSize(w, fw, sw, 1, attrs.pad, 2)), 0.15), g.near(c, 0.1)]);
  if (kind === 2) return { kernel: 'MaxPoolGrad', inputs: { dy, input: x, output: g.tensor(dy.shape) }, attrs };
  return { kernel: 'AvgPoolGrad', inputs: { dy, input: x }, attrs };
}

/** BatchMatMul and _FusedMatMul, with broadcast batches, transposes, zero sizes and mismatched inner sizes. */
function matmul(g: Gen): KernelCase {
  const [m, k, n] = [g.int(0, 4), g.int(0, 4), g.int(1, 4)];
  const ta = g.chance(0.3);
  const tb = g.chance(0.3);
  const batches = g.pick([[], [2], [3, 1], [1, 2], [2, 2]]);
  const batchB = g.chance(0.5) ? batches : g.pick([[], [1], batches.slice(1), [g.int(1, 3)]]);
  const a = g.floatish([...batches, ...(ta ? [k, m] : [m, k])]);
  const b = g.floatish([...batchB, ...(tb ? [n, g.near(k, 0.1)] : [g.near(k, 0.1), n])]);
  const attrs: Record<string, unknown> = { transposeA: ta, transposeB: tb };
  if (g.chance(0.5)) return { kernel: 'BatchMatMul', inputs: { a, b }, attrs };
  const inputs: Record<string, TensorData> = { a, b };
  const activation = g.pick(ACTIVATIONS);
  if (activation !== undefined) attrs.activation = activation;
  if (activation === 'leakyrelu' && g.chance(0.5)) attrs.leakyreluAlpha = g.pick([0.1, 0.3]);
  if (g.chance(0.6)) inputs.bias = g.tensor(g.pick([[n], [1], [m, n], [g.near(n, 1)], [1, 1, 1, 1, n]]));
  if (activation === 'prelu') inputs.preluActivationWeights = g.tensor([n]);
  return { kernel: '_FusedMatMul', inputs, attrs };
}

/** FusedBatchNorm with statistics of one common length, of length 1, or mismatched. */
function batchNorm(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), 1, 4);
  const c = shape[shape.length - 1] as number;
  const stat = () => g.pick([[c], [1], [g.near(c, 1)], [2 * c], [1, c]]);
  const variance = g.tensor(stat());
  variance.values = Float32Array.from(variance.values, Math.abs);
  const inputs: Record<string, TensorData> = { x: g.floatish(shape, g.chance(0.2)), mean: g.tensor(stat()), variance };
  if (g.chance(0.7)) inputs.offset = g.tensor(stat());
  if (g.chance(0.7)) inputs.scale = g.tensor(stat());
  return { kernel: 'FusedBatchNorm', inputs, attrs: g.chance(0.8) ? { varianceEpsilon: g.pick([0.001, 1e-5, 0.1]) } : {} };
}

const UNARY = ['Relu', 'Relu6', 'Exp', 'Log', 'Neg', 'Sqrt', 'Rsqrt', 'Square', 'Abs', 'Sigmoid', 'Tanh', 'Step', 'Reciprocal', 'Elu', 'LeakyRelu', 'Softplus', 'Log1p', 'ClipByValue'];
const BINARY = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference', 'Pow'];

/** A shape for element-wise work, zero-size and rank 0 included. */
function anyShape(g: Gen): number[] {
  return g.shape(g.int(0, 4), g.chance(0.1) ? 0 : 1, 4);
}

function unary(g: Gen): KernelCase {
  const kernel = g.pick(UNARY);
  const attrs: Record<string, unknown> = {};
  if (kernel === 'Step' && g.chance(0.7)) attrs.alpha = g.pick([0, 0.5, -1]);
  if (kernel === 'LeakyRelu' && g.chance(0.7)) attrs.alpha = g.pick([0.2, 0.01, -0.3]);
  if (kernel === 'ClipByValue') {
    const lo = g.int(-2, 1);
    // min > max in some cases: the cpu kernel's order of comparisons decides.
    Object.assign(attrs, g.chance(0.8) ? { clipValueMin: lo, clipValueMax: lo + g.int(0, 2) } : { clipValueMin: 1, clipValueMax: -1 });
  }
  return { kernel, inputs: { x: g.floatish(anyShape(g), true) }, attrs };
}

/** Shapes that broadcast against `out` (or, sometimes, do not). */
function broadcastPair(g: Gen): [number[], number[]] {
  const out = g.shape(g.int(0, 5), g.chance(0.05) ? 0 : 1, 4);
  const side = () => {
    const drop = g.int(0, out.length);
    return out.slice(drop).map((d) => (g.chance(0.3) ? 1 : d));
  };
  const a = side();
  const b = g.chance(0.1) ? side().map((d) => d + 1) : side();
  if (g.chance(0.03)) return [[1, 1, 1, 1, 1, 1, 1, 1, 2], [2]]; // rank 9: beyond the addon's 8
  return g.chance(0.5) ? [a, b] : [b, a];
}

function binary(g: Gen): KernelCase {
  const [as, bs] = broadcastPair(g);
  return { kernel: g.pick(BINARY), inputs: { a: g.floatish(as, true), b: g.floatish(bs, true) }, attrs: {} };
}

function addN(g: Gen): KernelCase {
  const shape = anyShape(g);
  const count = g.int(1, 4);
  const list = Array.from({ length: count }, () => g.floatish(g.chance(0.1) ? anyShape(g) : shape, true));
  return { kernel: 'AddN', inputs: list, attrs: {} };
}

function softmax(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 3), 1, 5);
  return { kernel: 'Softmax', inputs: { logits: g.floatish(shape, true) }, attrs: { dim: g.pick([-1, shape.length - 1, 0, -1]) } };
}

/** Axes as tfjs's ops never give them: repeated, negative, out of range, empty. */
function axes(g: Gen, rank: number): unknown {
  if (g.chance(0.15)) return undefined;
  const one = () => g.int(-rank, Math.max(rank - 1, 0));
  switch (g.int(0, 5)) {
    case 0:
      return one();
    case 1:
      return [one(), one()];
    case 2:
      return [one(), one(), one()].slice(0, g.int(1, 3));
    case 3:
      return [];
    case 4:
      return rank > 0 ? [0, 0] : [];
    default:
      return g.chance(0.5) ? rank : [-rank - 1];
  }
}

function reduction(g: Gen): KernelCase {
  const kernel = g.pick(['Sum', 'Mean', 'Max', 'Min', 'Prod']);
  const huge = g.chance(0.03);
  const shape = huge ? [0, 3000000000] : anyShape(g);
  // An empty tensor with a huge dimension, reduced to an empty or scalar output (a [3e9] output would take 12 GB on cpu).
  const ax = huge ? g.pick([1, -1, [0, 1]]) : axes(g, shape.length);
  const attrs: Record<string, unknown> = kernel === 'Max' ? { reductionIndices: ax } : { axis: ax };
  if (g.chance(0.5)) attrs.keepDims = g.chance(0.5);
  const x = huge ? { shape, dtype: 'float32' as const, values: new Float32Array(0) } : g.floatish(shape, true);
  return { kernel, inputs: { x }, attrs };
}

function transpose(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), g.chance(0.05) ? 0 : 1, 4);
  const r = shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  for (let i = r - 1; i > 0; i--) {
    const j = g.int(0, i);
    [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
  }
  // Repeated axes (the crash of the issue), an out-of-range one, or a wrong length.
  if (g.chance(0.2)) perm[g.int(0, r - 1)] = perm[g.int(0, r - 1)] as number;
  if (g.chance(0.05)) perm[0] = r;
  if (g.chance(0.05)) perm.push(0);
  return { kernel: 'Transpose', inputs: { x: g.floatish(shape) }, attrs: { perm } };
}

function tile(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), g.chance(0.05) ? 0 : 1, 3);
  const reps = shape.map(() => g.int(g.chance(0.05) ? -1 : 0, 3));
  if (g.chance(0.05)) reps.push(2);
  // A huge output (over 2^32 elements: the cpu kernel's allocation fails at once).
  if (g.chance(0.03)) reps[0] = 2 ** 33;
  return { kernel: 'Tile', inputs: { x: g.floatish(shape) }, attrs: { reps } };
}

function pad(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), g.chance(0.05) ? 0 : 1, 4);
  const mirror = g.chance(0.5);
  const paddings = shape.map((d) => [g.int(g.chance(0.05) ? -1 : 0, mirror ? d + 1 : 3), g.int(0, mirror ? d : 3)]);
  if (g.chance(0.05)) paddings.pop();
  if (g.chance(0.03) && paddings[0] !== undefined) paddings[0][1] = 2 ** 33;
  const x = g.floatish(shape);
  if (mirror) return { kernel: 'MirrorPad', inputs: { x }, attrs: { paddings, mode: g.pick(['reflect', 'symmetric']) } };
  return { kernel: 'PadV2', inputs: { x }, attrs: { paddings, constantValue: g.pick([0, 1.5, -2]) } };
}

function slice(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), 1, 6);
  const begin = shape.map((d) => g.int(0, d - 1));
  const size = shape.map((d, i) => (g.chance(0.1) ? -1 : g.int(0, d - (begin[i] as number))));
  // Out of range: the negative begins, and sizes or begins past the end.
  if (g.chance(0.25)) begin[g.int(0, shape.length - 1)] = g.pick([-3, -1]);
  if (g.chance(0.15)) size[g.int(0, shape.length - 1)] = g.int(5, 9);
  if (g.chance(0.05)) begin[0] = 2 ** 40;
  return { kernel: 'Slice', inputs: { x: g.floatish(shape) }, attrs: { begin, size } };
}

function concat(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 4), 1, 4);
  const r = shape.length;
  const axis = g.int(-r, r - 1);
  const ax = axis < 0 ? axis + r : axis;
  if (g.chance(0.03)) {
    // Empty pieces with a huge dimension: an empty output, however large its other sizes.
    const huge = [0, 3000000000];
    return { kernel: 'Concat', inputs: [0, 1].map(() => ({ shape: huge, dtype: 'float32' as const, values: new Float32Array(0) })), attrs: { axis: g.pick([0, 1]) } };
  }
  const list = Array.from({ length: g.int(1, 4) }, () => {
    const s = shape.slice();
    s[ax] = g.int(0, 3);
    if (g.chance(0.1)) s[(ax + 1) % r] = (s[(ax + 1) % r] as number) + 1; // mismatched
    return g.floatish(s);
  });
  return { kernel: 'Concat', inputs: list, attrs: { axis: g.chance(0.05) ? r : axis } };
}

function segmentSum(g: Gen): KernelCase {
  const shape = g.shape(g.int(1, 3), 1, 4);
  const rows = shape[0] as number;
  const numSegments = g.int(0, 5);
  const ids = g.tensor([rows], { dtype: 'int32' });
  for (let i = 0; i < rows; i++) ids.values[i] = g.int(-1, numSegments + 1);
  return { kernel: 'UnsortedSegmentSum', inputs: { x: g.floatish(shape), segmentIds: ids }, attrs: { numSegments } };
}

/** The families, each with its generator. */
export const FAMILIES: Record<string, (g: Gen) => KernelCase> = {
  'convolution forward': convForward,
  'convolution backprop': convBackprop,
  pooling: pool,
  'matrix product': matmul,
  'batch norm': batchNorm,
  unary,
  binary,
  addN,
  softmax,
  reduction,
  transpose,
  tile,
  pad,
  slice,
  concat,
  'segment sum': segmentSum,
};

/** `count` cases of one family, the same for the same seed. */
export function cases(family: string, count: number, seed: number): KernelCase[] {
  const make = FAMILIES[family];
  if (make === undefined) throw new Error(`fuzz: family must be one of ${Object.keys(FAMILIES).join(', ')}, got ${JSON.stringify(family)}.`);
  const g = new Gen(createRng(seed));
  return Array.from({ length: count }, () => make(g));
}

/** The reproductions, always included. */
export const REPRODUCTIONS: KernelCase[] = (() => {
  const g = new Gen(createRng(1));
  const x = g.tensor([20, 30, 40]);
  const m = g.tensor([1000, 1000]);
  const filter = g.tensor([3, 3, 4, 2]);
  const small = g.tensor([1, 5, 5, 2]);
  const conv = { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NHWC' };
  const list: KernelCase[] = [
    { kernel: 'Transpose', inputs: { x }, attrs: { perm: [2, 2, 2] } },
    { kernel: 'Transpose', inputs: { x }, attrs: { perm: [0, 0, 1] } },
    { kernel: 'Slice', inputs: { x: m }, attrs: { begin: [-3, 0], size: [2, 2] } },
    { kernel: 'Slice', inputs: { x: m }, attrs: { begin: [0, -3], size: [2, 5] } },
    { kernel: 'Conv2D', inputs: { x: small, filter }, attrs: conv },
    { kernel: 'DepthwiseConv2dNative', inputs: { x: small, filter }, attrs: { strides: 1, pad: 'same', dilations: 1 } },
    { kernel: 'Conv2DBackpropInput', inputs: { dy: g.tensor([1, 5, 5, 2]), filter }, attrs: { ...conv, inputShape: [1, 5, 5, 2] } },
    { kernel: 'Conv2DBackpropFilter', inputs: { x: small, dy: g.tensor([1, 5, 5, 3]) }, attrs: { ...conv, filterShape: [3, 3, 4, 3] } },
    { kernel: 'FusedConv2D', inputs: { x: g.tensor([1, 4, 4, 1]), filter: g.tensor([1, 1, 1, 1]) }, attrs: { ...conv, activation: 'leakyrelu' } },
    { kernel: 'Sum', inputs: { x }, attrs: { axis: [0, 0] } },
    { kernel: 'Mean', inputs: { x }, attrs: { axis: [1, 1], keepDims: true } },
    { kernel: 'Max', inputs: { x }, attrs: { reductionIndices: [2, -1] } },
  ];
  return list;
})();
