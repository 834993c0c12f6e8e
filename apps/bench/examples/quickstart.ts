import { chapterCnn, chapterResnet, countTrainableParams, resolveCifar10, runShift, selectBackend, subset } from '@aa/bench';

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  console.log(`backend: ${backend.name}`);

  // The chapter's models, with PyTorch's parameter counts.
  for (const [name, model] of [
    ['plain CNN', chapterCnn({ pooling: 'max' })],
    ['anti-aliased CNN', chapterCnn({ pooling: 'maxblur' })],
    ['ReZero ResNet', chapterResnet({ rezero: true })],
  ] as const) {
    console.log(`${name}: ${countTrainableParams(model)} trainable parameters`);
    model.dispose();
  }

  // The shift experiment on a slice of the CIFAR-10 sample shipped with @aa/cifar-data (no download).
  const data = await resolveCifar10({ sample: true }, console.log);
  const train = subset(data.train, 512, 0);
  const test = subset(data.test, 32, 1);
  const result = await runShift(train, test, data.test, data.classNames, 213, () => ({ epochs: 3, batchSize: 64, seed: 0 }));
  for (const m of result.models) {
    console.log(`${m.label}: test accuracy ${((m.finalAccuracy ?? 0) * 100).toFixed(1)}%, median std of P(correct) over 64 shifts ${m.metrics.medianStd.toFixed(4)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
