import * as tf from '@tensorflow/tfjs';
import { CutMix, MixUp } from '@aa/mixup';

// A toy task: 4 classes of 8×8 RGB images whose brightness encodes the class, as one-hot labels (Keras' form).
const n = 64;
const labels = tf.randomUniform([n], 0, 4, 'int32', 1);
const images = tf.randomNormal([n, 8, 8, 3], 0, 0.2, 'float32', 1).add(labels.toFloat().reshape([n, 1, 1, 1]).div(4));
const oneHot = tf.oneHot(labels as tf.Tensor1D, 4).toFloat();

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  // keras.layers.MixUp(alpha=0.2, seed=1) and keras.layers.CutMix(factor=1.0, seed=2), used in the data pipeline.
  const mixup = new MixUp({ alpha: 0.2, seed: 1 });
  const cutmix = new CutMix({ factor: 1, seed: 2 });
  const train = tf.data
    .zip({ xs: tf.data.array(tf.unstack(images)), ys: tf.data.array(tf.unstack(oneHot)) })
    .batch(16)
    .map((batch) => {
      const { xs, ys } = batch as { xs: tf.Tensor; ys: tf.Tensor };
      // [images, labels] in, [images, labels] out: one draw mixes both.
      const [x1, y1] = mixup.apply([xs, ys], { training: true }) as tf.Tensor[];
      const [x2, y2] = cutmix.apply([x1!, y1!], { training: true }) as tf.Tensor[];
      return { xs: x2!, ys: y2! };
    });

  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fitDataset(train, {
    epochs: 4,
    verbose: 0,
    callbacks: { onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch}: loss=${logs!.loss!.toFixed(4)}`) },
  });
  // At inference the layers pass their inputs through: predict never mixes.
  const same = mixup.apply(images) as tf.Tensor;
  console.log(`identity at inference: ${tf.equal(same, images).all().dataSync()[0] === 1}`);
  const [, lastLabels] = cutmix.apply([images, oneHot], { training: true }) as tf.Tensor[];
  console.log(`last CutMix draw: ${cutmix.lastDraw!.box.filter((b) => b !== null).length} boxes, label rows sum to ${lastLabels!.sum(1).mean().dataSync()[0]!.toFixed(3)}`);
  const accuracy = (model.evaluate(images, oneHot) as tf.Scalar[])[1]!;
  console.log(`clean accuracy=${accuracy.dataSync()[0]!.toFixed(3)}`);
  tf.dispose([same, lastLabels!]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
