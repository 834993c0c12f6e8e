import * as tf from '@tensorflow/tfjs';
import { CNN_POOLINGS, chapterCnn } from '@aa/blur';

// The chapter's small CNN with each way of subsampling; every one has PyTorch's 18,010 parameters.
for (const pooling of CNN_POOLINGS) {
  const model = chapterCnn({ pooling, seed: 0 });
  const params = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);
  console.log(`${pooling}: ${params} trainable parameters`);
  model.dispose();
}

// The same seed gives the same initial weights, so a run can be repeated exactly.
const a = chapterCnn({ pooling: 'maxblur', seed: 42 });
const b = chapterCnn({ pooling: 'maxblur', seed: 42 });
const same = a.getWeights().every((w, i) => tf.util.arraysEqual(w.dataSync(), b.getWeights()[i]!.dataSync()));
console.log('same seed, same weights:', same); // true

const logits = a.predict(tf.randomUniform([4, 24, 24, 3])) as tf.Tensor;
console.log('logits:', logits.shape); // [4, 10]
