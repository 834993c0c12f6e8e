/**
 * Loading and batching speed. Prints figures, asserts nothing.
 *   pnpm --filter @aa/cifar-data bench [DIR]      (or CIFAR10_DIR=DIR)
 * DIR holds cifar-10-batches-bin/ and/or cifar-10-binary.tar.gz, e.g. the output of
 *   a full-size official archive/folder, e.g. built from a local CIFAR-10 copy into /tmp/cifar10-full
 * Targets on the project machine: load 60,000 images under 3 s; batches over 50,000 images/s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cifar10Subset } from '@aa/cifar10-subset';
import * as tf from '@tensorflow/tfjs';
import type { CifarSplit, Transform } from '../src/index';
import { centerCrop, channelStats, compose, dataLoader, loadCifar10, normalize, randomCrop, randomHorizontalFlip } from '../src/index';

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

function throughput(name: string, split: CifarSplit, transform: Transform, epochs: number): void {
  const loader = dataLoader(split, { batchSize: 128, shuffle: true, seed: 1, transform });
  let best = 0;
  for (let e = 0; e < epochs; e++) {
    let n = 0;
    const t0 = performance.now();
    for (const { xs, ys } of loader) {
      n += xs.shape[0];
      tf.dispose([xs, ys]);
    }
    best = Math.max(best, n / seconds(t0));
  }
  console.log(`batches ${name.padEnd(44)} ${Math.round(best).toLocaleString('en-US').padStart(9)} images/s  (batch 128, ${split.count} images/epoch, best of ${epochs})`);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const dir = process.argv[2] ?? process.env.CIFAR10_DIR;
  let train: CifarSplit;
  // The JPEG pack: verifying 11.5 MB of files and decoding 12,500 JPEGs.
  const t0 = performance.now();
  const subset = await loadCifar10({ pack: cifar10Subset });
  console.log(`load + decode the 12,500-image @aa/cifar10-subset  ${seconds(t0).toFixed(2)} s  (JPEG pack, SHA-256 checked)`);
  if (dir === undefined || !fs.existsSync(dir)) {
    console.log(
      `No full-size CIFAR-10 given${dir === undefined ? '' : ` (${dir} does not exist)`}: pass a folder holding cifar-10-batches-bin/ and/or ` +
        `cifar-10-binary.tar.gz as argument or CIFAR10_DIR (the official cifar-10-binary.tar.gz, or a folder it unpacks to). ` +
        `Measuring batch throughput on the subset's 10,000 training images.`,
    );
    train = subset.train;
  } else {
    const folder = path.join(dir, 'cifar-10-batches-bin');
    const archive = path.join(dir, 'cifar-10-binary.tar.gz');
    let data;
    if (fs.existsSync(folder)) {
      const t0 = performance.now();
      data = await loadCifar10({ dataDir: folder });
      console.log(`load 60,000 images from the extracted folder       ${seconds(t0).toFixed(2)} s  (${folder})`);
    }
    if (fs.existsSync(archive)) {
      data = undefined; // let the first copy go before reading the second
      const t0 = performance.now();
      data = await loadCifar10({ archive });
      console.log(`load 60,000 images from the .tar.gz archive        ${seconds(t0).toFixed(2)} s  (${archive}, ${(fs.statSync(archive).size / 1e6).toFixed(1)} MB)`);
    }
    if (data === undefined) throw new Error(`${dir} holds neither cifar-10-batches-bin/ nor cifar-10-binary.tar.gz`);
    console.log(`memory: ${((data.train.images.length + data.test.images.length) / 1e6).toFixed(1)} MB of uint8 pixels, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    train = data.train;
  }
  const epochs = train.count >= 50000 ? 2 : 5;
  const stats = channelStats(train);
  throughput('randomCrop(24) + float (the chapter)', train, randomCrop(24), epochs);
  throughput('randomCrop(24) + flip + normalize', train, compose(randomCrop(24), randomHorizontalFlip(), normalize(stats)), epochs);
  throughput('centerCrop(24) + float (test pipeline)', train, centerCrop(24), epochs);
  throughput('full 32x32 + float', train, compose(), epochs);
  console.log(`channel stats of train: mean [${stats.mean.map((v) => v.toFixed(4))}], std [${stats.std.map((v) => v.toFixed(4))}]`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
