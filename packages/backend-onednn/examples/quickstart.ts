import * as tf from '@tensorflow/tfjs';
// The import registers the 'onednn' backend (priority 2: tf.ready() would pick it over cpu).
import { isAvailable, kernelStats, unavailableReason } from '@aa/backend-onednn';

async function main(): Promise<void> {
  if (isAvailable()) {
    await tf.setBackend('onednn');
  } else {
    // tf.setBackend('onednn') would return false, with tfjs's warning saying why and how to fix it.
    console.log(`oneDNN unavailable (${unavailableReason()}), staying on the cpu backend`);
    await tf.setBackend('cpu');
  }
  console.log(`backend: ${tf.getBackend()}`);

  // The chapter's building block (conv 3x3, BatchNorm, ReLU, max pool) and a classifier, trained as usual.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [24, 24, 3], filters: 16, kernelSize: 3, padding: 'same' }),
      tf.layers.batchNormalization(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([64, 24, 24, 3], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2) as tf.Tensor1D, 10);
  for (let step = 1; step <= 5; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    ) as tf.Scalar;
    console.log(`step ${step}: loss ${loss.dataSync()[0]?.toFixed(4)}`);
    loss.dispose();
  }

  // How often each kernel ran natively, and how often it fell back to the cpu implementation.
  const conv = kernelStats().FusedConv2D;
  console.log(`FusedConv2D: ${conv?.native ?? 0} native runs, ${conv?.fallback ?? 0} cpu fallbacks`);
  tf.dispose([images, labels]);
  model.dispose();
  optimizer.dispose();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
