// Deliberately without `import '@aa/blur'` (jest gives each test file its own module registry, so tfjs here has no
// MaxBlurPool2D registered).
import * as tf from '@tensorflow/tfjs';

import { loadChapterCnn } from '../src/node';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("the 'aa' model without @aa/blur imported", () => {
  it('is an error that names the missing layer class and says what to import', async () => {
    expect(tf.serialization.SerializationMap.getMap().classNameMap.MaxBlurPool2D).toBeUndefined();
    await expect(loadChapterCnn('aa')).rejects.toThrow(
      "loadChapterCnn: the 'aa' model needs the layer class MaxBlurPool2D, which no package has registered: import '@aa/blur' (it registers MaxBlurPool2D and BlurPool) before loading.",
    );
  });

  it("control: the 'plain' model needs only tfjs's own layers", async () => {
    const model = await loadChapterCnn('plain');
    expect(model.layers.some((l) => l.getClassName() === 'MaxPooling2D')).toBe(true);
    model.dispose();
  });
});
