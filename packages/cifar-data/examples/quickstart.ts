import { centerCrop, compose, dataLoader, loadCifar10, randomCrop, randomHorizontalFlip, shiftedCrops } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';
import * as tf from '@tensorflow/tfjs';

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  // The class-balanced subset of @aa/cifar10-subset (10,000 + 2,500 images) works offline; for all
  // 60,000 images use `await loadCifar10()`, which downloads, verifies and caches the official archive once.
  const data = await loadCifar10({ pack: cifar10Subset });
  console.log(`train: ${data.train.count} images, test: ${data.test.count} images`);
  console.log(`classes: ${data.classNames.join(', ')}`);

  // The chapter's pipelines: random 24x24 crops for training, the centre crop for testing.
  const train = dataLoader(data.train, {
    batchSize: 128,
    shuffle: true,
    seed: 1,
    transform: compose(randomCrop(24), randomHorizontalFlip()),
  });
  const test = dataLoader(data.test, { batchSize: 128, transform: centerCrop(24) });

  for (let epoch = 0; epoch < 2; epoch++) {
    let seen = 0;
    for (const { xs, ys } of train) {
      if (seen === 0) {
        const [lo, hi] = tf.tidy(() => [xs.min().dataSync()[0]!, xs.max().dataSync()[0]!]);
        console.log(`epoch ${epoch} first batch: xs [${xs.shape}] ${xs.dtype} in [${lo}, ${hi}], first labels ${ys.dataSync().slice(0, 5).join(',')}`);
      }
      seen += xs.shape[0];
      tf.dispose([xs, ys]); // the consumer owns each batch
    }
    console.log(`epoch ${epoch}: ${train.length} batches, ${seen} images`);
  }
  let tested = 0;
  for (const { xs, ys } of test) {
    tested += xs.shape[0];
    tf.dispose([xs, ys]);
  }
  console.log(`test: ${test.length} batches, ${tested} images`);

  // The shift experiment: all 9x9 = 81 positions of a 24x24 window in test image 0.
  const crops = shiftedCrops(data.test, 0, { size: 24 });
  console.log(`shifted crops of test image 0: [${crops.shape}]`);
  crops.dispose();
  console.log(`tensors left: ${tf.memory().numTensors}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
