import { chapterCnn } from '@aa/blur';
import { crossEntropy } from '@aa/mixup';
import { chapterResnet } from '@aa/rezero';
import { AdamW } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import type { Experiment, ExperimentPlan, ModelSpec, Workload } from './experiments/types';

/** Measured training speed, images per second, of the chapter's small CNN and of its 28-block ResNet. */
export interface Throughput {
  cnn: number;
  resnet: number;
  /** True when the ResNet figure was extrapolated from the CNN's rather than measured (the cpu backend). */
  resnetExtrapolated: boolean;
}

/** Figures of @aa/backend-onednn on this project's 2-core machine, for the advice printed on `cpu`. */
export const ONEDNN_REFERENCE: Throughput = { cnn: 2600, resnet: 186, resnetExtrapolated: false };

function stepsPerSecond(model: tf.LayersModel, batch: number, warmup: number, steps: number): number {
  const optimizer = new AdamW();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      const xs = tf.randomUniform([batch, 24, 24, 3], 0, 1, 'float32', 1);
      const ys = tf.randomUniform([batch], 0, 10, 'int32', 2);
      optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), false, vars);
    });
  try {
    // Warm-up: kernels compile, primitives and buffers are created (on onednn the CNN's first three steps run at a
    // third to nine tenths of its steady speed, the ResNet's first at half).
    for (let i = 0; i < warmup; i++) step();
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
    const cnn = stepsPerSecond(chapterCnn({ seed: 0 }), 4, 1, 1);
    return { cnn, resnet: cnn / 20, resnetExtrapolated: true };
  }
  return {
    // At the run's batch size, 128: smaller batches run slower per image and would under-fill the budget.
    cnn: stepsPerSecond(chapterCnn({ seed: 0 }), 128, 3, 5),
    resnet: stepsPerSecond(chapterResnet({ inputShape: [24, 24, 3], seed: 0 }), 128, 1, 3),
    resnetExtrapolated: false,
  };
}

/** Seconds to train one image through a model of this workload. */
export function secondsPerImage(w: Workload, t: Throughput): number {
  return (w.cnn ?? 0) / t.cnn + (w.resnet ?? 0) / t.resnet;
}

/** Train and test sizes of a run. */
export interface Sizes {
  trainSize: number;
  testSize: number;
}

/**
 * Estimated seconds for one model and seed: training, one test pass per epoch and a final one (a forward pass costs
 * about a third of a training step), and for shift models the 64 crops of every test image.
 */
export function modelSeconds(spec: ModelSpec, epochs: number, sizes: Sizes, t: Throughput): number {
  const s = secondsPerImage(spec.workload, t);
  const inference = s / 3;
  return epochs * (sizes.trainSize * s + sizes.testSize * inference) + sizes.testSize * inference * (spec.shift ? 64 : 1) + 2;
}

/** Estimated seconds for an experiment under a plan. */
export function experimentSeconds(e: Experiment, plan: ExperimentPlan, sizes: Sizes, t: Throughput): number {
  const perSeed = e.models().reduce((sum, spec) => sum + modelSeconds(spec, plan.epochs, sizes, t), 0);
  return e.trains ? perSeed * plan.seeds.length : 5;
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
