import '@aa/blur'; // registers MaxBlurPool2D, the anti-aliased model's pooling layer
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_CLASS_NAMES, loadChapterCnn, loadChapterCnnMetadata } from '@aa/chapter-models';

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  for (const key of ['plain', 'aa'] as const) {
    const model = await loadChapterCnn(key); // one call: Node reads the package's files, a browser fetches them
    const { label, training, results } = await loadChapterCnnMetadata(key);
    console.log(`${label}: ${(results.testAccuracy * 100).toFixed(1)}% test accuracy, median shift std ${results.shift.medianStd.toFixed(3)}`);
    console.log(`  trained with: ${training.command} (${training.protocol} protocol)`);
    // Inputs are 24×24 RGB crops in [0, 1], channels-last; here a grey image with a bright square.
    const probs = tf.tidy(() => {
      const image = tf.pad(tf.fill([8, 8, 3], 0.9), [[8, 8], [8, 8], [0, 0]], 0.4).expandDims(0);
      return tf.softmax(model.predict(image) as tf.Tensor2D).dataSync();
    });
    const best = probs.indexOf(Math.max(...probs));
    console.log(`  a bright square looks most like a ${CIFAR10_CLASS_NAMES[best]} (P = ${probs[best]?.toFixed(2)})`);
    model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
