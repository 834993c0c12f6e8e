/**
 * Fuzz: every native kernel, driven through `runKernel` with random and adversarial geometries
 * (fuzz-cases.ts), must behave as the cpu backend's kernel does: the same error, or outputs of the
 * same shape and values. The cpu kernel is the reference because tfjs defines a kernel's semantics by
 * it, including for inputs its ops would never pass. No native kernel may fail: a bad input has to
 * be declined before native code runs.
 *
 * test/sanitizer/run.sh runs this file against an AddressSanitizer build of the addon, where inputs
 * and outputs also sit against inaccessible pages, so an out-of-bounds access (even inside
 * oneDNN's uninstrumented kernels) kills the run. FUZZ_CASES sets the cases per family, FUZZ_SEED the seed.
 */
import * as tf from '@tensorflow/tfjs';

import { kernelStats, resetKernelStats } from '../src/index';
import { nativeAddon } from '../src/native';
import { FAMILIES, REPRODUCTIONS, cases } from './fuzz-cases';
import type { KernelCase, TensorData } from './fuzz-cases';
import { available, describeNative, expectClose } from './helpers';

const COUNT = Number(process.env.FUZZ_CASES ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

interface Output {
  shape: number[];
  dtype: string;
  values: Float32Array;
}
type Outcome = { error: string } | { outputs: Output[] };

let alignEnd = false;

/** A tensor of the case's data, with its own copy of the values (against a guard page in the sanitizer build). */
function makeTensor(d: TensorData): tf.Tensor {
  const guarded = available ? nativeAddon().guardedFloat32Array : undefined;
  if (guarded !== undefined && d.dtype === 'float32' && d.values.length > 0) {
    alignEnd = !alignEnd;
    const values = guarded(d.values.length, alignEnd);
    values.set(d.values);
    return tf.tensor(values, d.shape, 'float32');
  }
  return tf.tensor(d.values.slice(), d.shape, d.dtype);
}

/** Runs one case on one backend: its outputs or its error; no tensor may leak either way. */
async function run(backend: 'cpu' | 'onednn', c: KernelCase): Promise<Outcome> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const inputs = Array.isArray(c.inputs) ? c.inputs.map(makeTensor) : Object.fromEntries(Object.entries(c.inputs).map(([k, d]) => [k, makeTensor(d)]));
  let outcome: Outcome;
  try {
    const result = tf.engine().runKernel(c.kernel, inputs as unknown as tf.NamedTensorMap, c.attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(result) ? result : [result];
    outcome = { outputs: outs.map((t) => ({ shape: t.shape.slice(), dtype: t.dtype, values: Float32Array.from(t.dataSync() as Float32Array) })) };
    tf.dispose(outs);
  } catch (err) {
    outcome = { error: (err as Error).message };
  }
  tf.dispose(Object.values(inputs));
  expect(tf.memory().numTensors).toBe(before);
  return outcome;
}

function label(c: KernelCase): string {
  const inputs = Array.isArray(c.inputs) ? c.inputs : Object.values(c.inputs);
  return `${c.kernel}(${inputs.map((d) => `${d.dtype}[${d.shape.join(',')}]`).join(', ')}) ${JSON.stringify(c.attrs)}`;
}

/** The onednn outcome must be the cpu one: the same error message, or the same shapes and values. */
async function expectLikeCpu(c: KernelCase): Promise<void> {
  const cpu = await run('cpu', c);
  const onednn = await run('onednn', c);
  const name = label(c);
  if ('error' in cpu) {
    expect({ name, error: 'error' in onednn ? onednn.error : 'no error' }).toEqual({ name, error: cpu.error });
    return;
  }
  expect({ name, error: 'error' in onednn ? onednn.error : null }).toEqual({ name, error: null });
  const got = (onednn as { outputs: Output[] }).outputs;
  expect({ name, shapes: got.map((o) => [o.shape, o.dtype]) }).toEqual({ name, shapes: cpu.outputs.map((o) => [o.shape, o.dtype]) });
  got.forEach((o, i) => {
    try {
      expectClose(o.values, (cpu.outputs[i] as Output).values, { atol: 1e-4, rtol: 1e-3 });
    } catch (err) {
      throw new Error(`${name}: output ${i}: ${(err as Error).message}`);
    }
  });
}

describeNative('fuzz: native kernels against the cpu kernels', () => {
  beforeAll(() => resetKernelStats());
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test("the issue's reproductions neither crash nor return garbage", async () => {
    for (const c of REPRODUCTIONS) await expectLikeCpu(c);
  });

  test.each(Object.keys(FAMILIES))(`%s: ${COUNT} random and adversarial calls`, async (family) => {
    for (const c of cases(family, COUNT, SEED + Object.keys(FAMILIES).indexOf(family))) await expectLikeCpu(c);
  });

  test('every bad input was declined before native code ran, and the native paths did run', () => {
    const stats = kernelStats();
    const failed = Object.entries(stats).filter(([, s]) => s.errors > 0);
    expect(failed).toEqual([]);
    // Each family reached its native code at least once (the fuzz is not all fallbacks).
    const nativeRuns = (...names: string[]) => names.reduce((n, k) => n + (stats[k]?.native ?? 0), 0);
    expect({
      conv: nativeRuns('Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D') > 0,
      convBackprop: nativeRuns('Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter') > 0,
      pool: nativeRuns('MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad') > 0,
      matmul: nativeRuns('BatchMatMul', '_FusedMatMul') > 0,
      layout: nativeRuns('Transpose', 'Tile', 'PadV2', 'MirrorPad', 'Slice', 'Concat') > 0,
      reduce: nativeRuns('Sum', 'Mean', 'Max', 'Min', 'Prod') > 0,
      other: nativeRuns('FusedBatchNorm', 'AddN', 'Softmax', 'UnsortedSegmentSum', 'Add', 'Relu') > 0,
    }).toEqual({ conv: true, convBackprop: true, pool: true, matmul: true, layout: true, reduce: true, other: true });
  });
});
