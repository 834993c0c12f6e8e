/**
 * `pnpm --filter @aa/blur bench`: forward+backward time of MaxBlurPool2D against tfjs's own
 * maxPooling2d on [128, 24, 24, 16], and the separable (two 1-D passes) blur against one k×k
 * depthwise pass for several k (what decides blur's ONE_PASS_MAX_KERNEL). Prints figures; asserts nothing.
 */
import * as tf from '@tensorflow/tfjs';

import { MaxBlurPool2D } from '../src';
import { blur2dOnePass, blurSeparable, ONE_PASS_MAX_KERNEL } from '../src/blur';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

/** Median wall time in ms of `body` (after one warm-up run), with every tensor it makes disposed. */
function time(body: () => void): number {
  tf.tidy(body);
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    tf.tidy(body);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/** Forward + backward of `f`: the gradient of sum(f(x)) pulls every backward kernel through. */
function forwardBackward(f: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): () => void {
  return () => {
    tf.grad((v: tf.Tensor) => tf.sum(f(v as tf.Tensor4D)))(x).dataSync();
  };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const shape: [number, number, number, number] = [128, 24, 24, 16];
  const x = tf.randomNormal(shape) as tf.Tensor4D;
  console.log(`@aa/blur bench: backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, input [${shape}], median of ${REPEATS} runs`);

  const aaPool = new MaxBlurPool2D();
  const maxPool = tf.layers.maxPooling2d({ poolSize: 2 });
  const tAa = time(forwardBackward((v) => aaPool.apply(v) as tf.Tensor, x));
  const tMax = time(forwardBackward((v) => maxPool.apply(v) as tf.Tensor, x));
  console.log(`MaxBlurPool2D (poolSize 2) forward+backward: ${tAa.toFixed(1)} ms`);
  console.log(`maxPooling2d  (poolSize 2) forward+backward: ${tMax.toFixed(1)} ms`);
  console.log(`ratio MaxBlurPool2D / maxPooling2d: ${(tAa / tMax).toFixed(2)}x`);
  // Where the time goes: the stride-1 max pool has four times the outputs of the stride-2 one.
  const half: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
  const tStride1 = time(forwardBackward((v) => tf.maxPool(v, 2, 1, half), x));
  console.log(`  of which the stride-1 max pool (tf.maxPool, window 2, padding 1): ${tStride1.toFixed(1)} ms forward+backward`);

  // The blur step of MaxBlurPool2D sees the stride-1 max pool's output, [128, 25, 25, 16].
  const pooled = tf.randomNormal([128, 25, 25, 16]) as tf.Tensor4D;
  console.log(`blur picks one k x k pass for 2-D input up to k = ${ONE_PASS_MAX_KERNEL}, two 1-D passes beyond:`);
  for (const kernelSize of [2, 3, 4, 5, 7]) {
    const options = { kernelSize, stride: 2, padding: 'valid' as const };
    const fwdSep = time(() => void blurSeparable(pooled, options).dataSync());
    const fwdDense = time(() => void blur2dOnePass(pooled, options).dataSync());
    const fbSep = time(forwardBackward((v) => blurSeparable(v, options), pooled));
    const fbDense = time(forwardBackward((v) => blur2dOnePass(v, options), pooled));
    console.log(
      `blur k=${kernelSize} s=2 on [128,25,25,16]: two 1-D passes ${fwdSep.toFixed(1)} ms forward, ${fbSep.toFixed(1)} ms forward+backward; ` +
        `one ${kernelSize}x${kernelSize} pass ${fwdDense.toFixed(1)} ms forward, ${fbDense.toFixed(1)} ms forward+backward`,
    );
  }
  tf.dispose([x, pooled]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
