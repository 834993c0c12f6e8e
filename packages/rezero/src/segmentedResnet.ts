import * as tf from '@tensorflow/tfjs';

import { RESNET_OPTION_KEYS, resolveResNetOptions, type ResNetOptions } from './resnet';
import { seedSequence } from './seeds';
import { buildHead, buildStage, chapterStages } from './stages';
import { assertOptions } from './validate';

/** A network assembled from sub-models, and those sub-models in order. */
export interface SegmentedResNet {
  /** The whole network: input → segment 0 → ... → segment 4 → logits. */
  model: tf.LayersModel;
  /**
   * The four stages and the head, each a `tf.LayersModel` mapping the previous one's output to its
   * own; the boundaries between them are where Manifold MixUp mixes hidden states. Their weights
   * are the model's (shared, not copies).
   */
  segments: tf.LayersModel[];
}

/**
 * The {@link resnet} network, the same blocks, layer names and parameter count, assembled from five
 * sub-models: the four stages (`${name}_stage0` ... `${name}_stage3`) and the head (`${name}_head`:
 * global average pooling and the logits). Applying the segments one after another, each with
 * `segment.apply(x, { training })`, computes what `model.apply(x, { training })` computes, so they can
 * serve as `@aa/mixup`'s `Segment[]` for `manifoldMixupForward`. tfjs tracks the weights of nested
 * models, so `model` trains, saves and loads like `resnet`'s; with the same `seed` both start from
 * bit-identical weights.
 *
 * @param options - as {@link resnet}'s.
 * @returns `{ model, segments }`.
 * @example
 * ```ts
 * const { model, segments } = segmentedResnet({ inputShape: [32, 32, 3], classes: 10, seed: 0 });
 * let h = tf.zeros([2, 32, 32, 3]);
 * for (const segment of segments) h = segment.apply(h, { training: true }) as tf.Tensor; // h: [2, 10] logits
 * ```
 */
export function segmentedResnet(options: ResNetOptions): SegmentedResNet {
  const fn = 'segmentedResnet';
  assertOptions(fn, options, false, RESNET_OPTION_KEYS);
  const resolved = resolveResNetOptions(fn, options);
  const { inputShape, classes, width, name } = resolved;
  // The same seed sequence, drawn in the same order, as resnet's: the same seed gives the same weights.
  const nextSeed = seedSequence(resolved.seed);
  const segments: tf.LayersModel[] = [];
  let shape = inputShape;
  let index = 0;
  chapterStages(width).forEach((stage, s) => {
    const input = tf.input({ shape: shape as number[], name: `${name}_stage${s}_input` });
    const output = buildStage(input, stage, resolved, index, nextSeed);
    index += resolved.blocksPerStage + 1;
    segments.push(tf.model({ inputs: input, outputs: output, name: `${name}_stage${s}` }));
    shape = output.shape.slice(1);
  });
  const headInput = tf.input({ shape: shape as number[], name: `${name}_head_input` });
  segments.push(tf.model({ inputs: headInput, outputs: buildHead(headInput, classes, nextSeed), name: `${name}_head` }));

  const input = tf.input({ shape: inputShape as number[], name: `${name}_input` });
  let x: tf.SymbolicTensor = input;
  for (const segment of segments) x = segment.apply(x) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: x, name }), segments };
}
