import '@aa/blur'; // registers MaxBlurPool2D, which the 'aa' model holds
import { loadCifar10 } from '@aa/cifar-data';
import { cifar10Subset } from '@aa/cifar10-subset';
import * as tf from '@tensorflow/tfjs';

import { CHAPTER_CNN_KEYS, CIFAR10_CLASS_NAMES, chapterCnnUrls, loadChapterCnn, loadChapterCnnMetadata, modelsDir } from '../src/node';
import { expectNoLeak, trainableCount } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const POOLING_LAYER = { plain: 'MaxPooling2D', aa: 'MaxBlurPool2D' } as const;

describe('loadChapterCnn in Node (the package files)', () => {
  it.each(CHAPTER_CNN_KEYS)("'%s': the chapter's CNN, 18,010 parameters, its pooling layer, [n, 24, 24, 3] -> [n, 10]", async (key) => {
    const model = await loadChapterCnn(key);
    expect(trainableCount(model)).toBe(18010);
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes.filter((c) => c === POOLING_LAYER[key])).toHaveLength(2);
    expect(classes).not.toContain(POOLING_LAYER[key === 'aa' ? 'plain' : 'aa']);
    expect(model.inputs[0]?.shape).toEqual([null, 24, 24, 3]);
    await expectNoLeak(() => tf.tidy(() => expect((model.predict(tf.zeros([2, 24, 24, 3])) as tf.Tensor).shape).toEqual([2, 10])));
    model.dispose();
  });

  it.each(CHAPTER_CNN_KEYS)("'%s': the metadata describes the model beside it", async (key) => {
    const m = await loadChapterCnnMetadata(key);
    expect(m.key).toBe(key);
    expect(m.architecture).toMatchObject({ parameters: 18010, inputShape: [24, 24, 3], pooling: key === 'aa' ? 'maxblur' : 'max', classNames: [...CIFAR10_CLASS_NAMES] });
    expect(m.training.command).toMatch(/cli\.js .*shift/);
    // A reduced run says so in a note; the chapter protocol is 50,000 images × 30 epochs of the full set.
    if (m.training.protocol === 'chapter') expect(m.training.trainImages >= 50000 && m.training.epochs >= 30).toBe(true);
    else expect(m.note).toMatch(/Not the chapter's protocol/);
  });

  it('the two models score the embedded subset\'s first 250 test images as their metadata says (centre crops)', async () => {
    const n = 250;
    const data = await loadCifar10({ pack: cifar10Subset });
    const crops = tf.tidy(() => tf.div(tf.slice(tf.tensor4d(data.test.images.subarray(0, n * 32 * 32 * 3), [n, 32, 32, 3], 'float32'), [0, 4, 4, 0], [n, 24, 24, 3]), 255));
    const labels = Array.from(data.test.labels.subarray(0, n));
    const predicted: Record<string, number[]> = {};
    for (const key of CHAPTER_CNN_KEYS) {
      const model = await loadChapterCnn(key);
      const metadata = await loadChapterCnnMetadata(key);
      predicted[key] = tf.tidy(() => Array.from(tf.argMax(model.predict(crops) as tf.Tensor, 1).dataSync()));
      const accuracy = (predicted[key] as number[]).filter((p, i) => p === labels[i]).length / n;
      // Well above chance (10 %), and within 3 standard errors of 250 draws of the recorded accuracy.
      expect(accuracy).toBeGreaterThan(0.3);
      expect(Math.abs(accuracy - metadata.results.testAccuracy)).toBeLessThan(0.1);
      model.dispose();
    }
    // Two different networks: they disagree on some images.
    expect(predicted.plain).not.toEqual(predicted.aa);
    crops.dispose();
  });

  it('chapterCnnUrls gives the file:// URLs of the package files, in models/<key>/', () => {
    const urls = chapterCnnUrls('aa');
    expect(urls.model).toBe(`file://${modelsDir()}/aa/model.json`);
    expect(urls.weights).toBe(`file://${modelsDir()}/aa/weights.bin`);
    expect(urls.metadata).toBe(`file://${modelsDir()}/aa/metadata.json`);
  });

  it('takes another folder as a path or a file:// URL', async () => {
    const viaPath = await loadChapterCnn('plain', { baseUrl: modelsDir() });
    const viaUrl = await loadChapterCnn('plain', { baseUrl: new URL(`file://${modelsDir()}/`) });
    const x = tf.randomUniform([1, 24, 24, 3], 0, 1, 'float32', 5);
    const [a, b] = [viaPath.predict(x) as tf.Tensor, viaUrl.predict(x) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
    viaPath.dispose();
    viaUrl.dispose();
  });
});
