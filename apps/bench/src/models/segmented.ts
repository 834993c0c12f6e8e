import { residualBlock } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { torchBias, torchKernel } from './init';

/** A model built from sub-models, and those sub-models in order (the mixing points of Manifold MixUp). */
export interface SegmentedModel {
  model: tf.LayersModel;
  segments: tf.LayersModel[];
}

const SEGMENTS = new WeakMap<tf.LayersModel, tf.LayersModel[]>();

/** The segments of a model made by {@link segmentedResnet}, or undefined. */
export function segmentsOf(model: tf.LayersModel): tf.LayersModel[] | undefined {
  return SEGMENTS.get(model);
}

/**
 * The chapter's ReZero ResNet (same blocks and parameter count as `chapterResnet`) assembled from five
 * sub-models — the four stages and the head — so Manifold MixUp can mix the hidden state between any two.
 * tfjs tracks the weights of nested models (unlike layers nested inside a custom layer).
 */
export function segmentedResnet({ classes = 10, inputShape = [32, 32, 3] as readonly [number, number, number], width = 16, blocksPerStage = 6 } = {}): SegmentedModel {
  const stages = [
    { channels: width, stride: 1 },
    { channels: 2 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
    { channels: 4 * width, stride: 2 },
  ];
  const segments: tf.LayersModel[] = [];
  let shape: (number | null)[] = [...inputShape];
  let index = 0;
  stages.forEach(({ channels, stride }, s) => {
    const input = tf.input({ shape: [...shape] as number[], name: `stage${s}_input` });
    let x = input;
    for (let i = 0; i <= blocksPerStage; i++) {
      x = residualBlock(x, { channels, stride: i === 0 ? stride : 1, rezero: true, name: `block${index++}` });
    }
    segments.push(tf.model({ inputs: input, outputs: x, name: `stage${s}` }));
    shape = x.shape.slice(1);
  });
  const headInput = tf.input({ shape: [...shape] as number[], name: 'head_input' });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(headInput) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes, kernelInitializer: torchKernel(), biasInitializer: torchBias(4 * width), name: 'logits' })
    .apply(pooled) as tf.SymbolicTensor;
  segments.push(tf.model({ inputs: headInput, outputs: logits, name: 'head' }));
  const input = tf.input({ shape: [...inputShape], name: 'input' });
  let x: tf.SymbolicTensor = input;
  for (const seg of segments) x = seg.apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x, name: 'rezero_resnet_segmented' });
  SEGMENTS.set(model, segments);
  return { model, segments };
}
