/**
 * Where a training step of the chapter's 28-block ResNet goes on `onednn` (batch 128, 24x24x3,
 * the throughput bench's step: Adam, softmax cross-entropy, BatchNorm in training mode): per
 * kernel name, calls, exclusive milliseconds, share of the step and GFLOP/s for convolutions and
 * matrix products; then the step's wall time against the sum of kernel times (the difference is
 * tfjs's dispatch, tape and bookkeeping in JavaScript, plus garbage collection). Prints; asserts nothing.
 *
 * Kernel times come from wrapping every kernel registered for 'onednn' with `performance.now()`
 * (re-registered in tfjs's kernel registry, which the engine reads at every call). tf.profile's
 * `kernelTimeMs` is real wall time on this backend too (MathBackendCPU.time runs the synchronous
 * kernel between two `util.now()`), but the profiler also snapshots memory and keeps every kernel's
 * record, which inflates the step it measures, and its records carry no attributes (transposeA/B,
 * filterShape) for FLOP counts. The script runs one tf.profile step at the end as a cross-check.
 *
 * Environment: WARMUP (default 2) unmeasured steps, STEPS (default 3) profiled steps,
 * MODEL=normal|aa|resnet|rezero|rezero_mixup picks the model (default resnet), TFPROFILE=0 skips the tf.profile cross-check, BY_SIZE=1 splits each kernel's row by output size
 * (parameter-sized, under SMALL_ELEMENTS elements, against activation-sized).
 */
import * as os from 'node:os';

import * as tf from '@tensorflow/tfjs';

import { kernelStats, onednnVersion, registerOneDnnBackend, resetKernelStats, threadCount, unavailableReason } from '../src/index';
import { buildModel, makeStep, type ModelName } from './models';

const BATCH = 128;
const BACKEND = 'onednn';
const WARMUP = Number(process.env.WARMUP ?? 2);
const STEPS = Number(process.env.STEPS ?? 3);
const BY_SIZE = process.env.BY_SIZE === '1';
// The model to profile (default the 28-block ResNet): normal, aa, resnet, rezero or rezero_mixup.
const MODEL = (process.env.MODEL ?? 'resnet') as ModelName;
// Below this many output elements a kernel works on parameters or statistics (the largest conv kernel has 36,864).
const SMALL_ELEMENTS = 40_000;

interface KernelTotals {
  calls: number;
  ms: number;
  flops: number;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Shape = readonly number[];

const product = (xs: Shape) => xs.reduce((a, b) => a * b, 1);
const at = (shape: Shape, i: number) => shape[i < 0 ? shape.length + i : i] as number;
const firstOutput = (r: tf.TensorInfo | tf.TensorInfo[]) => (Array.isArray(r) ? r[0] : r) as tf.TensorInfo;

/** Multiply-adds times 2 of the convolutions and products (the formulas of the issue); 0 for other kernels. */
function flopsOf(name: string, args: KernelArgs, result: tf.TensorInfo | tf.TensorInfo[]): number {
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as Record<string, unknown> | undefined;
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      // x [N,H,W,Ci], filter [Kh,Kw,Ci,Co], y [N,Ho,Wo,Co]: 2·N·Ho·Wo·Co·Kh·Kw·Ci.
      const f = (inputs.filter as tf.TensorInfo).shape;
      return 2 * product(firstOutput(result).shape) * at(f, 0) * at(f, 1) * at(f, 2);
    }
    case 'Conv2DBackpropInput': {
      // dy [N,Ho,Wo,Co], filter [Kh,Kw,Ci,Co]: the same count as the forward convolution.
      const f = (inputs.filter as tf.TensorInfo).shape;
      return 2 * product((inputs.dy as tf.TensorInfo).shape) * at(f, 0) * at(f, 1) * at(f, 2);
    }
    case 'Conv2DBackpropFilter': {
      const f = attrs?.filterShape as Shape;
      return 2 * product((inputs.dy as tf.TensorInfo).shape) * at(f, 0) * at(f, 1) * at(f, 2);
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = (inputs.a as tf.TensorInfo).shape;
      const b = (inputs.b as tf.TensorInfo).shape;
      const m = attrs?.transposeA ? at(a, -1) : at(a, -2);
      const k = attrs?.transposeA ? at(a, -2) : at(a, -1);
      const n = attrs?.transposeB ? at(b, -2) : at(b, -1);
      const out = firstOutput(result).shape;
      return 2 * product(out.slice(0, -2)) * m * n * k;
    }
    default:
      return 0;
  }
}

/**
 * Re-registers every onednn kernel with a timing wrapper. Times are exclusive: a kernel that runs
 * another through the engine does not count the inner one's time twice.
 */
function instrumentKernels(totals: Map<string, KernelTotals>): { enabled: { on: boolean }; nested: { calls: number } } {
  const enabled = { on: false };
  const nested = { calls: 0 };
  const childMs: number[] = [];
  for (const config of tf.getKernelsForBackend(BACKEND)) {
    const inner = config.kernelFunc;
    const name = config.kernelName;
    const kernelFunc: tf.KernelFunc = (args) => {
      if (!enabled.on) return inner(args);
      if (childMs.length > 0) nested.calls++;
      childMs.push(0);
      const t0 = performance.now();
      const result = inner(args);
      const elapsed = performance.now() - t0;
      const own = elapsed - (childMs.pop() as number);
      if (childMs.length > 0) childMs[childMs.length - 1] = (childMs[childMs.length - 1] as number) + elapsed;
      const key = BY_SIZE ? `${name} ${product(firstOutput(result).shape) < SMALL_ELEMENTS ? 'small' : 'large'}` : name;
      const entry = totals.get(key) ?? { calls: 0, ms: 0, flops: 0 };
      entry.calls++;
      entry.ms += own;
      entry.flops += flopsOf(name, args, result);
      totals.set(key, entry);
      return result;
    };
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ ...config, kernelFunc });
  }
  return { enabled, nested };
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function printTable(totals: Map<string, KernelTotals>, stepMs: number, steps: number): void {
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, t]) => s + t.ms, 0) / steps;
  const calls = rows.reduce((s, [, t]) => s + t.calls, 0) / steps;
  console.log(`| kernel | calls/step | ms/step | ms/call | share of step | GFLOP/s |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: |`);
  for (const [name, t] of rows) {
    const ms = t.ms / steps;
    const gflops = t.flops > 0 ? (t.flops / (t.ms / 1000) / 1e9).toFixed(1) : '';
    console.log(
      `| ${pad(name, 26)} | ${lpad((t.calls / steps).toFixed(0), 5)} | ${lpad(ms.toFixed(1), 7)} | ${lpad((t.ms / t.calls).toFixed(3), 7)} | ` +
        `${lpad(((100 * ms) / stepMs).toFixed(1), 5)}% | ${lpad(gflops, 6)} |`,
    );
  }
  const convFlops = rows.filter(([, t]) => t.flops > 0).reduce((s, [, t]) => s + t.flops, 0) / steps;
  console.log('');
  console.log(`step wall time:        ${stepMs.toFixed(1)} ms (mean of ${steps} profiled steps)`);
  console.log(`sum of kernel times:   ${kernelMs.toFixed(1)} ms (${((100 * kernelMs) / stepMs).toFixed(1)}% of the step)`);
  console.log(`outside kernels:       ${(stepMs - kernelMs).toFixed(1)} ms (JS dispatch, tape, engine bookkeeping, GC)`);
  console.log(`kernel calls per step: ${calls.toFixed(0)} (${(((stepMs - kernelMs) * 1000) / calls).toFixed(1)} µs outside kernels per call)`);
  console.log(`conv + matmul:         ${(convFlops / 1e9).toFixed(2)} GFLOP per step`);
}

async function main(): Promise<void> {
  if (!registerOneDnnBackend()) throw new Error(`the onednn backend is unavailable: ${unavailableReason()}`);
  await tf.setBackend(BACKEND);
  console.log(
    `${MODEL}, batch ${BATCH}, 24x24x3, Adam; tfjs ${tf.version.tfjs}, oneDNN ${onednnVersion()}, ` +
      `${threadCount()} OpenMP threads, ${os.cpus()[0]?.model ?? '?'}; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
  );
  const totals = new Map<string, KernelTotals>();
  const { enabled, nested } = instrumentKernels(totals);

  const model = buildModel(MODEL);
  const { step, dispose } = makeStep(model, BATCH, MODEL === 'rezero_mixup');
  for (let i = 0; i < WARMUP; i++) step();

  // Unwrapped steps first: the wall time without the timers, to show what the instrumentation costs.
  let t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const plainMs = (performance.now() - t0) / STEPS;

  resetKernelStats();
  enabled.on = true;
  t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const stepMs = (performance.now() - t0) / STEPS;
  enabled.on = false;
  const stats = kernelStats();

  console.log(`wall time per step without the timers: ${plainMs.toFixed(1)} ms; with them: ${stepMs.toFixed(1)} ms`);
  console.log('');
  printTable(totals, stepMs, STEPS);

  console.log(`kernels run by another kernel through the engine: ${nested.calls / STEPS}/step (their time is not counted twice)`);
  const fallbacks = Object.entries(stats).filter(([, s]) => s.fallback + s.errors > 0);
  console.log(
    `cpu fallbacks of native kernels: ${fallbacks.length ? fallbacks.map(([k, s]) => `${k} ${s.fallback / STEPS}/step`).join(', ') : 'none'}` +
      ` (kernelStats(); the backend does not count oneDNN weight reorders, which run inside the convolution kernels)`,
  );

  if (process.env.TFPROFILE !== '0') {
    const info = await tf.profile(() => {
      step();
    });
    const profiled = info.kernels.reduce((s, k) => s + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), 0);
    console.log(`tf.profile cross-check, one step: ${info.kernels.length} kernels, kernelTimeMs sum ${profiled.toFixed(1)} ms`);
  }
  console.log(`load average at end: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  dispose();
  model.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
