import { AdamW, crossEntropy } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { PRESETS, type PresetName } from './config';
import { chapterCnn, chapterResnet } from './models';
import type { TrainingKey } from './report/results';

/** Measured training speed, images per second, of the small CNN and of the 28-block ResNet. */
export interface Throughput {
  cnn: number;
  resnet: number;
  /** True when the ResNet figure was extrapolated from the CNN's rather than measured (the cpu backend). */
  resnetExtrapolated: boolean;
}

/** Figures of @aa/backend-onednn on a 2-core machine, for the advice printed on `cpu`. */
export const ONEDNN_REFERENCE: Throughput = { cnn: 4000, resnet: 390, resnetExtrapolated: false };

/** Cost of each experiment in model trainings: small CNN-sized and ResNet-sized ones (18 blocks/stage ≈ 3 ResNets). */
export const WORKLOAD: Record<TrainingKey, { cnn: number; resnet: number }> = {
  shift: { cnn: 2, resnet: 0 },
  residual: { cnn: 1, resnet: 2 },
  mixup: { cnn: 0, resnet: 1 },
  exercise2: { cnn: 4, resnet: 0 },
  exercise3: { cnn: 2, resnet: 2 },
  exercise4: { cnn: 0, resnet: 6 },
  exercise5: { cnn: 0, resnet: 1.1 },
  exercise6: { cnn: 0, resnet: 2 },
};

function stepsPerSecond(model: tf.LayersModel, batch: number, steps: number): number {
  const optimizer = new AdamW();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      const xs = tf.randomUniform([batch, 24, 24, 3]);
      const ys = tf.randomUniform([batch], 0, 10, 'int32');
      optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), false, vars);
    });
  try {
    step(); // warm-up: kernels compile, buffers allocate
    const start = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (batch * steps) / ((performance.now() - start) / 1000);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Measures training throughput on the active backend with a few steps of each model. On the pure-JS `cpu`
 * backend a ResNet step alone takes minutes, so its speed is extrapolated from the CNN's (the ratio seen on cpu, 20×).
 */
export function measureThroughput(backend: string): Throughput {
  if (backend === 'cpu') {
    const cnn = stepsPerSecond(chapterCnn(), 4, 1);
    return { cnn, resnet: cnn / 20, resnetExtrapolated: true };
  }
  return { cnn: stepsPerSecond(chapterCnn(), 64, 3), resnet: stepsPerSecond(chapterResnet({ inputShape: [24, 24, 3] }), 32, 2), resnetExtrapolated: false };
}

/**
 * Estimated seconds for `keys` at the given sizes: training, one test pass per epoch (about a third of a training
 * step per image) and the 64-crop shift measurements.
 */
export function estimateSeconds(t: Throughput, keys: readonly TrainingKey[], size: { trainSize: number; testSize: number; epochs: number }): number {
  let seconds = 10; // data loading, model building, report
  for (const key of keys) {
    const w = WORKLOAD[key];
    const perImage = w.cnn / t.cnn + w.resnet / t.resnet;
    seconds += perImage * size.epochs * (size.trainSize + size.testSize / 3);
    if (key === 'shift' || key === 'exercise2') seconds += (w.cnn * 64 * size.testSize) / (3 * t.cnn);
  }
  return seconds;
}

/** The largest preset whose estimate fits `budgetSeconds` (sizes capped at what the data holds), or `smoke`. */
export function choosePreset(
  t: Throughput,
  keys: readonly TrainingKey[],
  budgetSeconds: number,
  available: { train: number; test: number },
): { preset: PresetName; seconds: number } {
  for (const preset of ['chapter', 'quick', 'smoke'] as const) {
    const p = PRESETS[preset];
    const seconds = estimateSeconds(t, keys, { trainSize: Math.min(p.trainSize, available.train), testSize: Math.min(p.testSize, available.test), epochs: p.epochs });
    if (seconds <= budgetSeconds || preset === 'smoke') return { preset, seconds };
  }
  throw new Error('unreachable');
}

/** `1 h 05 min`, `12 min`, `40 s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${days ? `${days} d ` : ''}${h} h ${String(m).padStart(2, '0')} min`;
}
