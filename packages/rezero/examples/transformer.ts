import * as tf from '@tensorflow/tfjs';

import { countTrainableParams, rezeroDecoderLayer, rezeroGates, rezeroTransformerEncoder } from '@aa/rezero';

async function main(): Promise<void> {
  await tf.setBackend('cpu');

  // Sequences of 8 steps: 8 random features plus a one-hot position. The task, reversing the
  // features in time, needs attention; the identity every ReZero layer starts as cannot do it.
  const steps = 8;
  const positions = tf.tile(tf.expandDims(tf.eye(steps), 0), [64, 1, 1]);
  const features = tf.randomNormal([64, steps, 8], 0, 1, 'float32', 1);
  const xs = tf.concat([features, positions], 2);
  const ys = tf.reverse(features, 1);

  const input = tf.input({ shape: [steps, 16] });
  const encoded = rezeroTransformerEncoder(input, { numLayers: 2, numHeads: 2, dimFeedforward: 32, dropout: 0, seed: 0 });
  const output = tf.layers.dense({ units: 8 }).apply(encoded) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  console.log(`encoder: ${countTrainableParams(model)} trainable parameters`);

  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const history = await model.fit(xs, ys, { epochs: 40, batchSize: 16, verbose: 0 });
  const loss = history.history.loss as number[];
  console.log(`loss: epoch 1 ${loss[0]!.toFixed(3)}, epoch 40 ${loss[loss.length - 1]!.toFixed(3)}`);
  for (const { layer, alpha } of rezeroGates(model)) console.log(`${layer}: alpha = ${alpha.toFixed(3)}`);

  // A decoder layer attends to the encoder's output (its memory), causally over its own steps.
  const target = tf.input({ shape: [5, 16] });
  const memory = tf.input({ shape: [steps, 16] });
  const decoded = rezeroDecoderLayer(target, memory, { numHeads: 2, dimFeedforward: 32 });
  const text = (t: tf.SymbolicTensor) => `[${t.shape.map(String).join(', ')}]`;
  console.log(`decoder layer: target ${text(target)} + memory ${text(memory)} -> ${text(decoded)}`);
  tf.dispose([positions, features, xs, ys]);
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
