/**
 * Training throughput of every model the bench trains, on the backend `--backend auto` finds: the figures
 * `pnpm bench` (the root) uses to pick its preset. Prints; asserts nothing.
 */
import { AdamW, crossEntropy } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { describeBackend, selectBackend } from '../src/backend';
import { bottleneckResnet, chapterCnn, chapterResnet, CNN_POOLINGS, denseResidualNet } from '../src/models';

function imagesPerSecond(model: tf.LayersModel, batch: number, steps: number): number {
  const optimizer = new AdamW();
  const step = () =>
    tf.tidy(() => {
      const xs = tf.randomUniform([batch, 24, 24, 3]);
      const ys = tf.randomUniform([batch], 0, 10, 'int32');
      optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), false);
    });
  step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ips = (batch * steps) / ((performance.now() - start) / 1000);
  optimizer.dispose();
  model.dispose();
  return ips;
}

async function main(): Promise<void> {
  const info = await selectBackend('auto');
  describeBackend(info).forEach((l) => console.log(l));
  const slow = info.name === 'cpu';
  const [batch, steps] = slow ? [4, 1] : [128, 3];
  console.log(`training throughput, batch ${batch}, 24x24x3 inputs (images/s):`);
  for (const pooling of CNN_POOLINGS) console.log(`  CNN ${pooling.padEnd(10)} ${imagesPerSecond(chapterCnn({ pooling }), batch, steps).toFixed(1)}`);
  if (slow) {
    console.log('  (ResNets skipped on cpu: one step takes minutes)');
    return;
  }
  const resnets: [string, () => tf.LayersModel][] = [
    ['ResNet (28 blocks)', () => chapterResnet({ rezero: false, inputShape: [24, 24, 3] })],
    ['ReZero ResNet', () => chapterResnet({ rezero: true, inputShape: [24, 24, 3] })],
    ['ReZero, anti-aliased strides', () => chapterResnet({ downsample: 'antialiased', inputShape: [24, 24, 3] })],
    ['ReZero, 18 blocks/stage', () => chapterResnet({ blocksPerStage: 18, inputShape: [24, 24, 3] })],
    ['bottleneck ReZero (ex. 3)', () => bottleneckResnet({ rezero: true, inputShape: [24, 24, 3] })],
    ['dense residual ReZero (ex. 3)', () => denseResidualNet({ rezero: true, inputShape: [24, 24, 3] })],
  ];
  for (const [name, build] of resnets) console.log(`  ${name.padEnd(30)} ${imagesPerSecond(build(), 64, 2).toFixed(1)}`);
}

void main();
