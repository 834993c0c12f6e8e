/**
 * Forward + backward time of one ReZero block and one plain residual block (16 -> 16 channels,
 * 3x3, stride 1) on a [32, 24, 24, 16] batch, cpu backend, BatchNorm in training mode, and their
 * ratio; then the same for the forward pass alone. ReZero should cost the plain block plus one
 * multiply. Prints figures; asserts nothing.
 *
 * On the pure-JS cpu backend one forward+backward takes seconds, almost all of it in tfjs'
 * Conv2DBackpropFilter kernel, so the backward rounds are few; the forward rounds are cheap.
 */
import * as tf from '@tensorflow/tfjs';

import { residualBlock } from '@aa/rezero';

const SHAPE: [number, number, number, number] = [32, 24, 24, 16];
const WARMUP = 1;
const ROUNDS = 3;
const FORWARD_ROUNDS = 10;

function blockModel(rezero: boolean): tf.LayersModel {
  const input = tf.input({ shape: SHAPE.slice(1) });
  return tf.model({ inputs: input, outputs: residualBlock(input, { channels: SHAPE[3], rezero }) });
}

/** One forward + backward pass: gradients of sum(output) with respect to every trainable weight. */
function step(model: tf.LayersModel, x: tf.Tensor): void {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor), vars);
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
  });
}

/** One training-mode forward pass. */
function forward(model: tf.LayersModel, x: tf.Tensor): void {
  tf.tidy(() => {
    (model.apply(x, { training: true }) as tf.Tensor).dataSync();
  });
}

/** Median times (ms) of `run` on both models, interleaved so load from other processes hits both alike. */
function time(
  models: Record<'rezero' | 'plain', tf.LayersModel>,
  x: tf.Tensor,
  run: (model: tf.LayersModel, x: tf.Tensor) => void,
  warmup: number,
  rounds: number,
): Record<'rezero' | 'plain', number[]> {
  for (let i = 0; i < warmup; i++) {
    run(models.rezero, x);
    run(models.plain, x);
  }
  const times: Record<'rezero' | 'plain', number[]> = { rezero: [], plain: [] };
  for (let i = 0; i < rounds; i++) {
    for (const key of ['rezero', 'plain'] as const) {
      const t0 = performance.now();
      run(models[key], x);
      times[key].push(performance.now() - t0);
    }
  }
  return times;
}

function report(label: string, times: Record<'rezero' | 'plain', number[]>): void {
  const r = median(times.rezero);
  const p = median(times.plain);
  console.log(`ReZero block ${label}: median ${r.toFixed(1)} ms (min ${Math.min(...times.rezero).toFixed(1)} ms)`);
  console.log(`plain block ${label}:  median ${p.toFixed(1)} ms (min ${Math.min(...times.plain).toFixed(1)} ms)`);
  console.log(`ratio ReZero / plain (${label}): ${(r / p).toFixed(3)}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const models = { rezero: blockModel(true), plain: blockModel(false) };
  const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 14);
  console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, input [${SHAPE.join(', ')}], BatchNorm in training mode`);
  console.log(`forward+backward: ${ROUNDS} rounds after ${WARMUP} warm-up; forward: ${FORWARD_ROUNDS} rounds after ${WARMUP} warm-up`);
  report('forward+backward', time(models, x, step, WARMUP, ROUNDS));
  report('forward', time(models, x, forward, WARMUP, FORWARD_ROUNDS));
  x.dispose();
  models.rezero.dispose();
  models.plain.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
