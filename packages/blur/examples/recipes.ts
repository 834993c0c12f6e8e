import * as tf from '@tensorflow/tfjs';
import { BlurPool, ConvBlurPool2D, MaxBlurPool2D } from '@aa/blur';

// antialiased-cnns' three replacements; each keeps the output shape of the layer it replaces.
const input = tf.input({ shape: [32, 32, 16] });
const recipes: [string, tf.layers.Layer, tf.layers.Layer][] = [
  ['MaxPool -> MaxBlurPool', tf.layers.maxPooling2d({ poolSize: 2 }), new MaxBlurPool2D({ poolSize: 2 })],
  [
    'StridedConv -> ConvBlurPool',
    tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    new ConvBlurPool2D({ filters: 32, kernelSize: 3, strides: 2 }),
  ],
  ['AvgPool -> BlurPool', tf.layers.averagePooling2d({ poolSize: 2 }), new BlurPool({ kernelSize: 3, stride: 2 })],
];
for (const [recipe, original, antiAliased] of recipes) {
  const before = (original.apply(input) as tf.SymbolicTensor).shape.slice(1).join('x');
  const after = (antiAliased.apply(input) as tf.SymbolicTensor).shape.slice(1).join('x');
  const params = `${original.countParams()} -> ${antiAliased.countParams()} parameters`;
  console.log(`${recipe}: ${original.getClassName()} ${before} -> ${antiAliased.getClassName()} ${after} (${params})`);
}

// A small CNN built from the three recipes trains, saves and loads like any tfjs model.
async function main(): Promise<void> {
  const image = tf.input({ shape: [16, 16, 3] });
  let h = new ConvBlurPool2D({ filters: 8, seed: 0 }).apply(image) as tf.SymbolicTensor; // 16 -> 8
  h = new MaxBlurPool2D().apply(h) as tf.SymbolicTensor; // 8 -> 4
  h = new BlurPool({ kernelSize: 3, stride: 2 }).apply(h) as tf.SymbolicTensor; // 4 -> 2
  const logits = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: image, outputs: logits });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const xs = tf.randomUniform([8, 16, 16, 3]);
  const ys = tf.randomUniform([8, 10]);
  const history = await model.fit(xs, ys, { epochs: 2, verbose: 0 });
  console.log('trained 2 epochs, loss', (history.history.loss as number[]).map((l) => l.toFixed(3)).join(' -> '));
  let restored: tf.LayersModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      restored = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const same = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(xs) as tf.Tensor, restored!.predict(xs) as tf.Tensor))).dataSync()[0]);
  console.log('restored layers:', restored!.layers.map((l) => l.getClassName()).filter((n) => n.includes('Blur')).join(', '), '| max difference', same);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
