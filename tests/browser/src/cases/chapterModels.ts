import { CIFAR10_CLASS_NAMES, chapterCnnUrls, loadChapterCnn, loadChapterCnnMetadata } from '@aa/chapter-models';
import * as tf from '@tensorflow/tfjs';

import { check, type BrowserCase } from '../harness';

/** A fixed 24×24×3 input in [0, 1] (a smooth colour ramp), the same one Node scores. */
export function rampInput(): tf.Tensor4D {
  const values = new Float32Array(24 * 24 * 3);
  for (let i = 0; i < 24; i++) for (let j = 0; j < 24; j++) for (let c = 0; c < 3; c++) values[(i * 24 + j) * 3 + c] = ((i + 2 * j + 7 * c) % 24) / 23;
  return tf.tensor4d(values, [1, 24, 24, 3]);
}

/** @aa/chapter-models' browser entry: its default URLs (next to the bundle) and the metadata. */
export const chapterModelsSuite: BrowserCase[] = (['plain', 'aa'] as const).map((key) => ({
  name: `loadChapterCnn('${key}'): loads from the package's own URLs with its metadata and classifies a fixed input`,
  async run() {
    const urls = chapterCnnUrls(key);
    check(urls.model.endsWith(`/models/${key}/model.json`), `chapterCnnUrls('${key}').model is ${urls.model}`);
    const [model, metadata] = await Promise.all([loadChapterCnn(key), loadChapterCnnMetadata(key)]);
    try {
      check(metadata.key === key && metadata.architecture.parameters === 18010, `metadata of '${key}': ${JSON.stringify(metadata.architecture)}`);
      check(JSON.stringify(metadata.architecture.classNames) === JSON.stringify(CIFAR10_CLASS_NAMES), 'class names differ from CIFAR10_CLASS_NAMES');
      const probs = tf.tidy(() => Array.from(tf.softmax(model.predict(rampInput()) as tf.Tensor2D).dataSync()));
      check(probs.length === 10 && Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4, `probabilities ${probs}`);
      return { probs, testAccuracy: metadata.results.testAccuracy };
    } finally {
      model.dispose();
    }
  },
}));
