import * as tf from '@tensorflow/tfjs';

import { chapterResnet, countTrainableParams, segmentedResnet } from '@aa/rezero';

async function main(): Promise<void> {
  await tf.setBackend('cpu');

  // The chapter's two 28-block networks on its 24x24 crops, with PyTorch's parameter counts.
  for (const rezero of [true, false]) {
    const model = chapterResnet({ rezero, inputShape: [24, 24, 3], seed: 0 });
    console.log(`${model.name}: ${countTrainableParams(model)} trainable parameters`);
    model.dispose();
  }

  // A seed makes the initial weights reproducible: build twice, get the same network.
  const a = chapterResnet({ seed: 7 });
  const b = chapterResnet({ seed: 7 });
  const same = a.getWeights().every((w, i) => tf.util.arraysEqual(w.dataSync(), b.getWeights()[i]!.dataSync()));
  console.log(`same seed, same weights: ${same}`);
  a.dispose();
  b.dispose();

  // For Manifold MixUp: the same network as four stages and a head, applied one after another.
  const { model, segments } = segmentedResnet({ inputShape: [24, 24, 3], classes: 10, seed: 0 });
  const x = tf.randomNormal([2, 24, 24, 3]);
  const logits = tf.tidy(() => segments.reduce<tf.Tensor>((h, segment) => segment.apply(h, { training: true }) as tf.Tensor, x));
  console.log(`segments ${segments.map((s) => s.name).join(', ')} -> logits [${logits.shape.join(', ')}]`);
  tf.dispose([x, logits]);
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
