import * as tf from '@tensorflow/tfjs';

import { check, expectClose, type BrowserCase } from '../harness';
import { firstBatchLogits, trainFewSteps } from '../training/fewSteps';

/** Saves `model` to `url`, loads it back and checks it predicts exactly the same and kept the packages' layers. */
async function roundTrip(model: tf.LayersModel, url: string, expected: number[], data: Parameters<typeof firstBatchLogits>[1]): Promise<void> {
  await model.save(url);
  const listed = await tf.io.listModels();
  check(url in listed, `${url} is not in tf.io.listModels() after saving (got ${Object.keys(listed).join(', ')})`);
  const loaded = await tf.loadLayersModel(url);
  try {
    const classes = loaded.layers.map((l) => l.getClassName());
    check(classes.includes('MaxBlurPool2D') && classes.includes('ReZero'), `${url}: the loaded model lost the packages' layers (${classes.join(', ')})`);
    expectClose(`${url}: logits after loading`, firstBatchLogits(loaded, data), expected, { rtol: 0, atol: 0 });
  } finally {
    loaded.dispose();
    await tf.io.removeModel(url);
  }
}

/** Training with every package at once, then the browser's own model stores. */
export const trainingSuite: BrowserCase[] = [
  {
    name: 'trainNetwork: 2 epochs of MixUp batches through MaxBlurPool2D and a ReZero block lower the test loss; the model saves to and loads from indexeddb:// and localstorage://',
    async run() {
      const { model, outcome, testData } = await trainFewSteps();
      try {
        const all = [...outcome.trainLoss, ...outcome.testLoss, outcome.alpha, ...outcome.logits];
        check(all.every(Number.isFinite), `a training figure is not finite: ${JSON.stringify(outcome)}`);
        const last = outcome.testLoss[outcome.testLoss.length - 1] as number;
        check(last < 0.9 * outcome.initialTestLoss, `test loss went from ${outcome.initialTestLoss} to ${last}: training did not learn`);
        check(outcome.alpha !== 0.25, 'the ReZero gate alpha did not move from its initial 0.25');
        await roundTrip(model, 'indexeddb://aa-browser-tests-few-steps', outcome.logits, testData);
        await roundTrip(model, 'localstorage://aa-browser-tests-few-steps', outcome.logits, testData);
      } finally {
        model.dispose();
      }
      // Node compares these with the same run on its cpu backend.
      return outcome;
    },
  },
];
