import * as tf from '@tensorflow/tfjs';
import { BlurPool1D, BlurPool3D, EdgeAwareBlurPool2D, binomialFilter, blur } from '@aa/blur';

// antialiased-cnns' filter sizes 1-7: binomialFilter(k) times 2^(k-1) is its table's row [1], [1, 1], ..., [1, 6, 15, 20, 15, 6, 1].
for (let k = 1; k <= 7; k++) console.log(`filter ${k}: [${binomialFilter(k).map((t) => t * 2 ** (k - 1)).join(', ')}]`);

// Its three pad types at the ends of a ramp (3 taps, stride 1): zeros pull the ends down, the copies do not.
const ramp = tf.tensor3d([0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 1]);
for (const padding of ['same', 'reflect', 'replicate'] as const) {
  console.log(`${padding}: [${Array.from(blur(ramp, { kernelSize: 3, stride: 1, padding }).dataSync()).join(', ')}]`);
}

// 1-D signals and 3-D volumes have their own layers.
const signal = tf.randomNormal([4, 100, 8]);
console.log('BlurPool1D:', signal.shape, '->', (new BlurPool1D({ kernelSize: 5, stride: 2 }).apply(signal) as tf.Tensor).shape);
const volume = tf.randomNormal([1, 16, 16, 16, 2]);
console.log('BlurPool3D:', volume.shape, '->', (new BlurPool3D().apply(volume) as tf.Tensor).shape);

// kornia's edge-aware blur keeps a step edge sharp where the plain blur smears it.
const step = tf.concat([tf.fill([1, 6, 4, 1], 0.1), tf.fill([1, 6, 4, 1], 0.9)], 2) as tf.Tensor4D;
const row = (t: tf.Tensor) => Array.from(tf.slice(t, [0, 3, 0, 0], [1, 1, 8, 1]).dataSync(), (v) => v.toFixed(2)).join(' ');
console.log('step:      ', row(step));
console.log('blur:      ', row(blur(step, { stride: 1 })));
console.log('edge-aware:', row(new EdgeAwareBlurPool2D({ kernelSize: 3 }).apply(step) as tf.Tensor));
