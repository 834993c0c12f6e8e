import { experiment, resolveCifar10, selectBackend, shiftStdClaim, trainModel, trainTest } from '@aa/bench';

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  console.log(`backend: ${backend.name}`);

  // The embedded CIFAR-10 subset (no download): 2,000 training and 200 test images of it.
  const data = await resolveCifar10({ subset: true }, console.log);
  const set = trainTest(data, { trainSize: 2000, testSize: 200 }, 0, 'CIFAR-10 subset');

  // The shift experiment's two models, from the registry, trained the chapter's way for 3 epochs.
  const runs = [];
  for (const spec of experiment('shift').models()) {
    const { run, model } = await trainModel(spec, 0, set, { epochs: 3, batchSize: 128 });
    model.dispose();
    console.log(`${run.label}: ${run.params} parameters, test accuracy ${(run.finalAccuracy * 100).toFixed(1)}%, median std of P(correct) over 64 shifts ${run.shift?.metrics.medianStd.toFixed(4)}`);
    runs.push(run);
  }

  // Exercise 1's claim, as the report tests it: a paired test on the same test images.
  const [plain, aa] = runs;
  const claim = shiftStdClaim({ id: 'aa-lowers-shift-std', finding: 'anti-aliasing steadies predictions', statement: 'anti-aliasing steadies predictions under shifts', experiment: 'shift', better: aa ? [aa] : [], worse: plain ? [plain] : [], adequate: false });
  console.log(`${claim.id}: ${claim.verdict} (p = ${claim.pValue === null ? 'n/a' : claim.pValue.toPrecision(2)})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
