import * as tf from '@tensorflow/tfjs';

import { cifarResnet, countTrainableParams, rezeroGates } from '@aa/rezero';

async function main(): Promise<void> {
  await tf.setBackend('cpu');

  // The ReZero authors' CIFAR ResNets: the skip is added after the ReLU, x + alpha * relu(F(x)).
  for (const depth of [20, 56]) {
    for (const rezero of [true, false]) {
      const model = cifarResnet({ depth, rezero, seed: 0 });
      console.log(`${model.name}: ${countTrainableParams(model)} trainable parameters`);
      model.dispose();
    }
  }

  // Every gate starts at 0, so the untrained network is its stem, shortcuts and classifier.
  const model = cifarResnet({ depth: 20, seed: 0 });
  const gates = rezeroGates(model);
  console.log(`${gates.length} gates, all zero: ${gates.every((g) => g.alpha === 0)}`);
  const logits = tf.tidy(() => model.predict(tf.randomNormal([2, 32, 32, 3])) as tf.Tensor);
  console.log(`logits: [${logits.shape.join(', ')}]`);
  logits.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
