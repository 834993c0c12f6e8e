import * as tf from '@tensorflow/tfjs';
import { accuracy, crossEntropy, withMixup } from '@aa/mixup';
import type { Batch, MixupTargets } from '@aa/mixup';

// A toy task: 4 classes of 8×8 RGB images whose brightness encodes the class, 4 batches of 16 per epoch.
function loader(): Iterable<Batch> & { length: number } {
  return {
    length: 4,
    *[Symbol.iterator]() {
      for (let i = 0; i < 4; i++) {
        yield tf.tidy(() => {
          const ys = tf.randomUniform([16], 0, 4, 'int32', i) as tf.Tensor1D;
          const noise = tf.randomNormal([16, 8, 8, 3], 0, 0.2, 'float32', i);
          return { xs: noise.add(ys.toFloat().reshape([16, 1, 1, 1]).div(4)), ys };
        });
      }
    },
  };
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
  const optimizer = tf.train.adam(0.02);
  // timm's Mixup(mixup_alpha=0.8, cutmix_alpha=1, switch_prob=0.5, mode='elem', label_smoothing=0.1), switched off
  // after epoch 3 like timm's --mixup-off-epoch 3.
  const source = loader();
  const train = withMixup(source, { mixupAlpha: 0.8, cutmixAlpha: 1, switchProb: 0.5, mode: 'elem', seed: 19, offAfterEpoch: 3 });
  const loss = (ys: Batch['ys'], logits: tf.Tensor) => crossEntropy(ys, logits, { labelSmoothing: 0.1 });

  let checkpoint = '';
  for (let epoch = 0; epoch < 5; epoch++) {
    let total = 0;
    let mixed = 0;
    for (const batch of train) {
      const value = optimizer.minimize(() => loss(batch.ys, model.apply(batch.xs, { training: true }) as tf.Tensor), true) as tf.Scalar;
      total += value.dataSync()[0]!;
      const isMixed = !(batch.ys instanceof tf.Tensor);
      if (isMixed) mixed++;
      const t = batch.ys as MixupTargets;
      tf.dispose([value, batch.xs, ...(isMixed ? [t.yi, t.yj, t.lambda as tf.Tensor] : [batch.ys as tf.Tensor])]);
    }
    // What trainNetwork's `stateful: { mixup: train }` writes into each checkpoint.
    checkpoint = JSON.stringify(train.getState());
    console.log(`epoch ${epoch}: mixed batches=${mixed}/${source.length} loss=${(total / source.length).toFixed(4)}`);
  }
  console.log(`checkpoint state: ${checkpoint.slice(0, 12)}…`);

  const test = loader()[Symbol.iterator]().next().value as Batch;
  const logits = model.predict(test.xs) as tf.Tensor;
  console.log(`clean accuracy=${accuracy(test.ys, logits).toFixed(3)}`);
  tf.dispose([test.xs, test.ys as tf.Tensor, logits]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
