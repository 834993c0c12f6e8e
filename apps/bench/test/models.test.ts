import { countTrainableParams } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { bottleneckResnet, chapterCnn, chapterResnet, CNN_POOLINGS, denseResidualNet, segmentedResnet } from '../src/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** PyTorch's count for the chapter's CNN: 3→16 conv (448) + 5 × 16→16 conv (2,320) + 6 BN (32) + dense 576→10 (5,770). */
const PYTORCH_CNN = 448 + 5 * 2320 + 6 * 32 + (576 * 10 + 10);

describe('the chapter CNNs', () => {
  it.each(CNN_POOLINGS)('%s pooling has 18,010 trainable parameters like the PyTorch original', (pooling) => {
    const model = chapterCnn({ pooling });
    expect(PYTORCH_CNN).toBe(18010);
    expect(countTrainableParams(model)).toBe(18010);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    model.dispose();
  });

  it.each(CNN_POOLINGS)('%s: maps [B, 24, 24, 3] to [B, 10] logits without leaking tensors', (pooling) => {
    const model = chapterCnn({ pooling });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const y = model.predict(tf.zeros([2, 24, 24, 3])) as tf.Tensor;
      expect(y.shape).toEqual([2, 10]);
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('uses PyTorch initialisation and BatchNorm settings', () => {
    const model = chapterCnn();
    const conv = model.getLayer('r0a_conv').getWeights();
    const [kernel, bias] = [conv[0] as tf.Tensor, conv[1] as tf.Tensor];
    // kaiming-uniform a=√5 on fan-in 27: bound sqrt(6 / ((1 + 5) · 27)) = 1/√27; bias U(±1/√27).
    const bound = 1 / Math.sqrt(27);
    expect(Math.max(...(kernel.abs().dataSync() as Float32Array))).toBeLessThanOrEqual(bound + 1e-7);
    expect(Math.max(...(kernel.abs().dataSync() as Float32Array))).toBeGreaterThan(bound * 0.8);
    expect(Math.max(...(bias.abs().dataSync() as Float32Array))).toBeLessThanOrEqual(bound + 1e-7);
    const bn = model.getLayer('r0a_bn').getConfig();
    expect(bn.epsilon).toBe(1e-5);
    expect(bn.momentum).toBe(0.9);
    model.dispose();
  });

  it('rejects an unknown pooling, naming the allowed ones', () => {
    expect(() => chapterCnn({ pooling: 'median' as never })).toThrow(/chapterCnn: pooling must be one of max, maxblur, avg, blurpool, strided, aastrided, got 'median'/);
  });
});

describe('the ResNets', () => {
  it('have the PyTorch parameter counts: 1,181,194 plain, 1,181,222 ReZero', () => {
    const plain = chapterResnet({ rezero: false });
    const rezero = chapterResnet({ rezero: true });
    expect(countTrainableParams(plain)).toBe(1181194);
    expect(countTrainableParams(rezero)).toBe(1181222);
    plain.dispose();
    rezero.dispose();
  });

  it('exercise 5 keeps the count (blur pooling has no weights) and the output shape', () => {
    const model = chapterResnet({ downsample: 'antialiased', inputShape: [24, 24, 3] });
    expect(countTrainableParams(model)).toBe(1181222);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    expect(model.layers.some((l) => l.getClassName() === 'BlurPool')).toBe(true);
    model.dispose();
  });

  it('the segmented ReZero ResNet for Manifold MixUp equals the chapter network in parameters', () => {
    const { model, segments } = segmentedResnet({ inputShape: [24, 24, 3] });
    expect(segments).toHaveLength(5);
    expect(countTrainableParams(model)).toBe(1181222);
    model.dispose();
  });

  it('exercise 3 networks end in 100 logits', () => {
    for (const build of [bottleneckResnet, denseResidualNet]) {
      const model = build({ rezero: true, inputShape: [8, 8, 3] });
      expect(model.outputs[0]?.shape).toEqual([null, 100]);
      model.dispose();
    }
  });
});
