/**
 * The addon's own checks, below the TypeScript kernels: every entry point refuses a geometry that
 * does not match the buffers it gets, with an error naming the function, before touching memory.
 * In the sanitizer build (test/sanitizer/run.sh) the buffers sit against inaccessible pages, so a
 * check that let an access through would crash the run instead of failing one test.
 */
import type { NativeAddon } from '../src/native';
import { nativeAddon } from '../src/native';
import { available, describeNative } from './helpers';

const I = (...v: number[]) => Int32Array.from(v);

describeNative('native entry points refuse geometries that do not match their buffers', () => {
  let addon: NativeAddon;
  let flip = false;
  /** A buffer of exactly n floats (against a guard page, alternately after and before it, when the build has them). */
  const buf = (n: number, fill = 0.5): Float32Array => {
    const guarded = addon.guardedFloat32Array;
    flip = !flip;
    const a = guarded !== undefined && n > 0 ? guarded(n, flip) : new Float32Array(n);
    return a.fill(fill);
  };
  beforeAll(() => {
    expect(available).toBe(true);
    addon = nativeAddon();
  });

  // Conv geometry: N IH IW IC OH OW OC KH KW SH SW DH DW PT PL PB PR G (a 1x5x5x2 input, 3x3 filter, 'same').
  const conv = (over: Partial<Record<number, number>> = {}) => {
    const p = [1, 5, 5, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    for (const [k, v] of Object.entries(over)) p[Number(k)] = v as number;
    return Int32Array.from(p);
  };

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['transpose: repeated axes (the issue)', () => addon.transpose(buf(24000), buf(24000), I(20, 30, 40), I(2, 2, 2)), /^transpose: perm must be a permutation of the 3 axes, got \[2, 2, 2\]$/],
    ['transpose: an axis out of range', () => addon.transpose(buf(6), buf(6), I(2, 3), I(0, 2)), /^transpose: perm must be a permutation/],
    ['transpose: perm too short', () => addon.transpose(buf(6), buf(6), I(2, 3), I(0)), /^transpose: perm must be a permutation/],
    ['transpose: output too small', () => addon.transpose(buf(6), buf(5), I(2, 3), I(1, 0)), /^transpose: out has 5 elements, the geometry needs 6$/],
    ['transpose: input too small', () => addon.transpose(buf(5), buf(6), I(2, 3), I(1, 0)), /^transpose: x has 5 elements, the geometry needs 6$/],
    ['slice: negative begin (the issue)', () => addon.slice(buf(1e6), buf(4), I(1000, 1000), I(-3, 0), I(2, 2), I(1, 1)), /^slice: the slice begin \[-3, 0\], size \[2, 2\], step \[1, 1\] reaches outside the shape \[1000, 1000\]$/],
    ['slice: past the end', () => addon.slice(buf(12), buf(4), I(3, 4), I(2, 3), I(2, 2), I(1, 1)), /^slice: the slice .* reaches outside/],
    ['slice: a step of 0', () => addon.slice(buf(12), buf(2), I(3, 4), I(0, 0), I(1, 2), I(1, 0)), /^slice: the slice/],
    ['slice: output of the wrong size', () => addon.slice(buf(12), buf(3), I(3, 4), I(0, 0), I(1, 2), I(1, 1)), /^slice: out has 3 elements, the geometry needs 2$/],
    ['tile: negative reps', () => addon.tile(buf(2), buf(2), I(2), I(-1)), /^tile: reps must be >= 0/],
    ['tile: output too small', () => addon.tile(buf(2), buf(3), I(2), I(2)), /^tile: out has 3 elements, the geometry needs 4$/],
    ['pad: reflecting past the edge', () => addon.pad(buf(3), buf(9), I(3), I(3), I(3), 1, 0), /^pad: paddings before \[3\] \/ after \[3\] are not allowed for shape \[3\] in mode 1$/],
    ['pad: negative padding', () => addon.pad(buf(3), buf(2), I(3), I(-1), I(0), 0, 0), /^pad: paddings/],
    ['pad: rank 0', () => addon.pad(buf(1), buf(1), I(), I(), I(), 0, 0), /^pad: pad needs a tensor of rank >= 1$/],
    ['pad: unknown mode', () => addon.pad(buf(3), buf(3), I(3), I(0), I(0), 3, 0), /^pad: mode must be 0/],
    ['concat: an input shorter than outer * inner', () => addon.concat([buf(4), buf(5)], buf(12), 2, I(2, 4)), /^concat: an input has 5 elements, the geometry needs 8$/],
    ['concat: inners of another length', () => addon.concat([buf(4), buf(4)], buf(8), 2, I(2)), /^concat: inners must have one entry per input/],
    ['concat: not an array', () => addon.concat(buf(4) as never, buf(8), 2, I(2)), /^concat: inputs must be an array/],
    ['conv2d: filter channels unlike the input (the issue)', () => addon.conv2d(0, buf(50), buf(3 * 3 * 1 * 3), null, buf(75), conv(), 0, 0), /^conv2d: filter has 27 elements, the geometry needs 54$/],
    ['conv2d: output too small', () => addon.conv2d(0, buf(50), buf(54), null, buf(74), conv(), 0, 0), /^conv2d: out has 74 elements, the geometry needs 75$/],
    ['conv2d: bias of the wrong length', () => addon.conv2d(0, buf(50), buf(54), buf(2), buf(75), conv(), 0, 0), /^conv2d: bias has 2 elements, the geometry needs 3$/],
    ['conv2d: a bias gradient of the wrong length', () => addon.conv2d(2, buf(50), buf(75), buf(2), buf(54), conv(), 0, 0), /^conv2d: the bias gradient has 2 elements, the geometry needs 3$/],
    ['conv2d: a bias for the input backprop', () => addon.conv2d(1, buf(75), buf(54), buf(3), buf(50), conv(), 0, 0), /^conv2d: the input backprop takes no bias$/],
    ['conv2d: an activation for a backprop', () => addon.conv2d(2, buf(50), buf(75), null, buf(54), conv(), 1, 0), /^conv2d: a backprop takes no activation$/],
    ['conv2d: an output size the padding does not give', () => addon.conv2d(0, buf(50), buf(54), null, buf(90), conv({ 4: 6, 5: 5 }), 0, 0), /^conv2d: the output size does not follow/],
    ['conv2d: 17 parameters', () => addon.conv2d(0, buf(50), buf(54), null, buf(75), conv().slice(0, 17), 0, 0), /^conv2d: expected 18 geometry parameters, got 17$/],
    ['conv2d: groups neither 1 nor the channels', () => addon.conv2d(0, buf(50), buf(54), null, buf(75), conv({ 17: 3 }), 0, 0), /^conv2d: groups must be 1 or the input channels/],
    ['conv2d: backward data with a short dy', () => addon.conv2d(1, buf(74), buf(54), null, buf(50), conv(), 0, 0), /^conv2d: dy has 74 elements, the geometry needs 75$/],
    ['conv2d: backward weights into a short filter', () => addon.conv2d(2, buf(50), buf(75), null, buf(53), conv(), 0, 0), /^conv2d: out has 53 elements, the geometry needs 54$/],
    ['conv2d: unknown kind', () => addon.conv2d(3, buf(50), buf(54), null, buf(75), conv(), 0, 0), /^conv2d: kind must be 0, 1 or 2, got 3$/],
    ['conv2d: a non-float buffer', () => addon.conv2d(0, new Float64Array(50) as never, buf(54), null, buf(75), conv(), 0, 0), /^conv2d: in0 must be a Float32Array$/],
    ['matmul: a too short', () => addon.matmul(buf(5), buf(12), null, buf(8), I(1, 1, 2, 4, 3, 0, 0, 0), 0, 0), /^matmul: a has 5 elements, the geometry needs 6$/],
    ['matmul: batches that do not broadcast', () => addon.matmul(buf(12), buf(36), null, buf(24), I(2, 3, 2, 4, 3, 0, 0, 0), 0, 0), /^matmul: the batches must be equal or one of them 1/],
    ['matmul: a bias unlike biasLen', () => addon.matmul(buf(6), buf(12), buf(3), buf(8), I(1, 1, 2, 4, 3, 0, 0, 4), 0, 0), /^matmul: the bias must have 1 or N values/],
    ['maxPool: input too small', () => addon.maxPool(buf(49), buf(18), I(1, 5, 5, 2, 3, 3, 2, 2, 2, 2, 0, 0)), /^maxPool: x has 49 elements, the geometry needs 50$/],
    ['avgPool: a stride of 0', () => addon.avgPool(buf(50), buf(18), I(1, 5, 5, 2, 3, 3, 2, 2, 0, 2, 0, 0)), /^avgPool: sizes, windows and strides must be >= 1/],
    ['maxPoolGrad: dy too small', () => addon.maxPoolGrad(buf(17), buf(50), buf(50), I(1, 5, 5, 2, 3, 3, 2, 2, 2, 2, 0, 0)), /^maxPoolGrad: dy has 17 elements, the geometry needs 18$/],
    ['avgPoolGrad: dx too small', () => addon.avgPoolGrad(buf(18), buf(49), I(1, 5, 5, 2, 3, 3, 2, 2, 2, 2, 0, 0)), /^avgPoolGrad: dx has 49 elements, the geometry needs 50$/],
    ['unary: x shorter than y', () => addon.unary(0, buf(3), buf(4), 0, 0), /^unary: x has 3 elements, the geometry needs 4$/],
    ['unary: unknown op', () => addon.unary(99, buf(3), buf(3), 0, 0), /^unary: unknown op 99$/],
    ['unary: a plain array', () => addon.unary(0, [1, 2] as never, buf(2), 0, 0), /^unary: x must be a Float32Array$/],
    ['binary: shapes that do not broadcast', () => addon.binary(0, buf(6), buf(3), buf(6), I(2, 2, 3, 2, 3, 1, 2)), /^binary: a \[2, 3\] and b \[1, 2\] do not broadcast to \[2, 3\]$/],
    ['binary: a shorter than its shape', () => addon.binary(0, buf(5), buf(3), buf(6), I(2, 2, 3, 2, 3, 1, 3)), /^binary: a has 5 elements, the geometry needs 6$/],
    ['binary: rank 9', () => addon.binary(0, buf(1), buf(1), buf(1), Int32Array.from([9, ...new Array(27).fill(1)])), /^binary: shapes must be \[rank <= 8/],
    ['addN: no input', () => addon.addN([], buf(3)), /^addN: addN needs at least one input$/],
    ['addN: inputs of another length', () => addon.addN([buf(3), buf(2)], buf(3)), /^addN: every input has 2 elements, the geometry needs 3$/],
    ['softmax: rows * cols unlike the buffer', () => addon.softmax(buf(6), buf(6), 2, 4), /^softmax: x has 6 elements, the geometry needs 8$/],
    ['reduce: a reduced flag of 2', () => addon.reduce(0, buf(6), buf(2), I(2, 3), I(0, 2)), /^reduce: reduced must hold 0 or 1 per dimension/],
    ['reduce: output of the wrong size (repeated axes)', () => addon.reduce(0, buf(6), buf(3), I(2, 3), I(0, 1)), /^reduce: out has 3 elements, the geometry needs 2$/],
    ['batchNorm: a length that does not divide x', () => addon.batchNorm(buf(6), buf(4), buf(4), null, null, buf(6), 0.001, 4), /^batchNorm: length must be >= 1 and divide x's size 6, got 4$/],
    ['batchNorm: a mean of another length', () => addon.batchNorm(buf(6), buf(2), buf(3), null, null, buf(6), 0.001, 3), /^batchNorm: mean, variance, offset and scale must have 1 or 3 values$/],
    ['batchNormGrad: dy too small', () => addon.batchNormGrad(buf(6), buf(3), buf(3), null, buf(5), 0.001, 3, buf(6), buf(3), buf(3), buf(3), buf(3)), /^batchNormGrad: dy has 5 elements, the geometry needs 6$/],
    ['centered: channels that do not divide x', () => addon.centered(buf(6), buf(4), 4, buf(6), 1), /^centered: channels must be >= 1 and divide x's size 6, got 4$/],
    ['centered: out too small', () => addon.centered(buf(6), buf(3), 3, buf(5), 2), /^centered: out has 5 elements, the geometry needs 6$/],
    ['centered: a power of 3', () => addon.centered(buf(6), buf(3), 3, buf(6), 3 as never), /^centered: power must be 1 or 2, got 3$/],
    ['centeredVariance: a mean of another length', () => addon.centeredVariance(buf(6), buf(2), 3, buf(3)), /^centeredVariance: mean has 2 elements, the geometry needs 3$/],
    ['centeredVariance: 0 channels', () => addon.centeredVariance(buf(6), buf(3), 0, buf(3)), /^centeredVariance: channels must be >= 1/],
    ['batchNormTrainGrad: dx too small', () => addon.batchNormTrainGrad(buf(6), buf(3), buf(3), null, buf(6), 0.001, 3, buf(5), buf(3), buf(3)), /^batchNormTrainGrad: dx has 5 elements, the geometry needs 6$/],
    ['batchNormTrainGrad: scale of another length', () => addon.batchNormTrainGrad(buf(6), buf(3), buf(3), buf(2), buf(6), 0.001, 3, buf(6), buf(3), buf(3)), /^batchNormTrainGrad: scale has 2 elements, the geometry needs 3$/],
    ['reluGrad: dy too small', () => addon.reluGrad(buf(6), buf(5), buf(6)), /^reluGrad: dy has 5 elements, the geometry needs 6$/],
    ['setThreads: 0', () => addon.setThreads(0), /^setThreads: n must be between 1 and 4096, got 0$/],
    ['decommit: not a Float32Array', () => addon.decommit(new Uint8Array(8) as never), /^decommit: a must be a Float32Array$/],
  ];

  test.each(cases)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  test('valid calls of the batch-norm training kernels compute (checked by hand)', () => {
    const x = buf(4);
    x.set([1, 2, 3, 6]); // [[1, 2], [3, 6]]: channel means 2 and 4
    const mean = buf(2);
    mean.set([2, 4]);
    const centred = buf(4);
    addon.centered(x, mean, 2, centred, 2);
    expect(Array.from(centred)).toEqual([1, 4, 1, 4]);
    const variance = buf(2);
    addon.centeredVariance(x, mean, 2, variance);
    expect(Array.from(variance)).toEqual([1, 4]);
    // dy = [[1, 0], [0, 0]], scale 1, eps 0: x̂ = [[-1, -1], [1, 1]], dx = (dy - mean(dy) - x̂ mean(dy x̂)) / σ.
    const dy = buf(4);
    dy.set([1, 0, 0, 0]);
    const dx = buf(4);
    const dScale = buf(2);
    const dOffset = buf(2);
    addon.batchNormTrainGrad(x, mean, variance, null, dy, 0, 2, dx, dScale, dOffset);
    expect(Array.from(dx)).toEqual([0, 0, 0, 0]);
    expect(Array.from(dScale)).toEqual([-1, 0]);
    expect(Array.from(dOffset)).toEqual([1, 0]);
    const r = buf(4);
    addon.reluGrad(Float32Array.from([-1, 0, 2, NaN]), Float32Array.from([5, 6, 7, 8]), r);
    expect(Array.from(r)).toEqual([0, 0, 7, NaN]);
  });

  test('valid calls still compute: transpose, strided slice, reflect pad, reduce (checked by hand)', () => {
    const x = buf(6);
    x.set([1, 2, 3, 4, 5, 6]); // [[1, 2, 3], [4, 5, 6]]
    const t = buf(6);
    addon.transpose(x, t, I(2, 3), I(1, 0));
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
    const s = buf(2);
    addon.slice(x, s, I(2, 3), I(0, 0), I(2, 1), I(1, 2));
    expect(Array.from(s)).toEqual([1, 4]);
    const p = buf(5);
    addon.pad(x.subarray(0, 3), p, I(3), I(1), I(1), 1, 0);
    expect(Array.from(p)).toEqual([2, 1, 2, 3, 2]);
    const r = buf(3);
    addon.reduce(0, x, r, I(2, 3), I(1, 0));
    expect(Array.from(r)).toEqual([5, 7, 9]);
  });

  test('decommit returns whole pages of a large array to the system, and the array reads as zeros', () => {
    const a = new Float32Array(1 << 20).fill(3);
    const released = addon.decommit(a);
    expect(released).toBeGreaterThanOrEqual(4 * (1 << 20) - 2 * 65536);
    expect(released % 4096).toBe(0);
    // Whole pages inside the array became zeros; the array is still usable.
    expect(a[1 << 19]).toBe(0);
    a[1 << 19] = 7;
    expect(a[1 << 19]).toBe(7);
    expect(addon.decommit(new Float32Array(10))).toBe(0);
  });
});
