import * as tf from '@tensorflow/tfjs';
import { BlurPool, MaxBlurPool2D, antiAliasedConv2d, binomialFilter, maxBlurPool2d } from '@aa/blur';

// The filter: a normalised row of Pascal's triangle.
console.log('binomialFilter(3) =', binomialFilter(3)); // [0.25, 0.5, 0.25]

// The op: anti-aliased max pooling keeps maxPool(2)'s output size.
const images = tf.randomUniform([8, 24, 24, 3]) as tf.Tensor4D;
const pooled = maxBlurPool2d(images);
console.log('maxBlurPool2d:', images.shape, '->', pooled.shape); // [8, 24, 24, 3] -> [8, 12, 12, 3]

// The layers: the chapter's small CNN with every maxPooling2d swapped for MaxBlurPool2D,
// and an anti-aliased strided convolution (exercise 2) in place of a stride-2 conv.
const cnnLayer = (x: tf.SymbolicTensor, filters: number) => {
  const conv = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x);
  const norm = tf.layers.batchNormalization().apply(conv);
  return tf.layers.activation({ activation: 'relu' }).apply(norm) as tf.SymbolicTensor;
};
const input = tf.input({ shape: [24, 24, 3] });
let x = cnnLayer(cnnLayer(input, 16), 16);
x = new MaxBlurPool2D({ poolSize: 2 }).apply(x) as tf.SymbolicTensor; // 24 -> 12
x = cnnLayer(x, 16);
x = antiAliasedConv2d(x, { filters: 16, strides: 2 }); // 12 -> 6
x = new BlurPool({ kernelSize: 3, stride: 2 }).apply(x) as tf.SymbolicTensor; // 6 -> 3, in place of averagePooling2d
const logits = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
const model = tf.model({ inputs: input, outputs: logits });
console.log('model output:', (model.predict(images) as tf.Tensor).shape); // [8, 10]

// Models holding these layers save and load like any tfjs model (the classes are registered).
model
  .save(tf.io.withSaveHandler(async (artifacts) => {
    const restored = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    console.log('restored layers:', restored.layers.map((l) => l.getClassName()).filter((n) => n.includes('Blur')).join(', '));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }))
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
