import * as tf from '@tensorflow/tfjs';
import { mixupAccuracy, mixupCollator, mixupLoss } from '@aa/mixup';

// A toy task: 4 classes of 8×8 RGB images whose brightness encodes the class.
function makeBatch(size: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  return tf.tidy(() => {
    const ys = tf.randomUniform([size], 0, 4, 'int32', seed) as tf.Tensor1D;
    const noise = tf.randomNormal([size, 8, 8, 3], 0, 0.2, 'float32', seed);
    return { xs: noise.add(ys.toFloat().reshape([size, 1, 1, 1]).div(4)) as tf.Tensor4D, ys };
  });
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4 }),
    ],
  });
  const collate = mixupCollator({ alpha: 0.25, seed: 14 }); // the chapter's MixupCollator()
  const loss = mixupLoss(); // the chapter's MixupLoss(nn.CrossEntropyLoss())
  const optimizer = tf.train.adam(0.02);

  for (let step = 1; step <= 20; step++) {
    const batch = collate(makeBatch(32, step)); // mixes, and disposes the clean batch
    const f = () => loss(batch.ys, model.apply(batch.xs, { training: true }) as tf.Tensor);
    const value = optimizer.minimize(f, true) as tf.Scalar;
    if (step % 5 === 0) {
      const predictions = model.predict(batch.xs) as tf.Tensor;
      const lambda = batch.ys.lambda as number; // one λ per batch
      const accuracy = mixupAccuracy(batch.ys, predictions); // λ-weighted accuracy
      console.log(`step ${step}: lambda=${lambda.toFixed(3)} loss=${value.dataSync()[0]!.toFixed(4)} mixup-accuracy=${accuracy.toFixed(3)}`);
      predictions.dispose();
    }
    tf.dispose([value, batch.xs, batch.ys.yi, batch.ys.yj]);
  }

  // Evaluation: a clean batch with plain labels goes through the same loss and score.
  const test = makeBatch(256, 1000);
  const logits = model.predict(test.xs) as tf.Tensor;
  const testLoss = loss(test.ys, logits);
  console.log(`clean test: loss=${testLoss.dataSync()[0]!.toFixed(4)} accuracy=${mixupAccuracy(test.ys, logits).toFixed(3)}`);
  tf.dispose([test.xs, test.ys, logits, testLoss]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
