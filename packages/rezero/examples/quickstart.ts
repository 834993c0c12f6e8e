import * as tf from '@tensorflow/tfjs';

import { countTrainableParams, residualBlock, resnet, rezeroGates } from '@aa/rezero';

async function main(): Promise<void> {
  await tf.setBackend('cpu');

  // The chapter's network: 28 ReZero residual blocks, the same parameter count as the PyTorch original.
  const chapter = resnet({ inputShape: [32, 32, 3], classes: 10 });
  console.log(`chapter ResNet: ${countTrainableParams(chapter)} trainable parameters`);
  chapter.dispose();

  // Or compose blocks with the functional API.
  const input = tf.input({ shape: [16, 16, 3] });
  let x = residualBlock(input, { channels: 8, name: 'first' }); // 3 -> 8 channels: 1x1 projection shortcut
  x = residualBlock(x, { channels: 16, stride: 2, name: 'second' }); // [16, 16, 8] -> [8, 8, 16]
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 10 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: logits });

  // Every ReZero gate starts at alpha = 0 (the block is its shortcut) and moves while training.
  model.compile({ optimizer: tf.train.adam(0.01), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
  const xs = tf.randomNormal([8, 16, 16, 3]);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([8], 0, 10, 'int32'), 10));
  await model.fit(xs, ys, { epochs: 3, batchSize: 8, verbose: 0 });
  for (const { layer, alpha } of rezeroGates(model)) {
    console.log(`${layer}: alpha = ${alpha.toFixed(4)}`);
  }
  tf.dispose([xs, ys]);
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
