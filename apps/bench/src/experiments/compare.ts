import type { LabeledImages } from '@aa/cifar-data';

import { bottleneckResnet, chapterCnn, chapterResnet, denseResidualNet } from '../models';
import { segmentedResnet } from '../models/segmented';
import { manifoldStep } from './manifold';
import { CROP_TEST, CROP_TRAIN, trainModel, type ModelSpec, type TrainedModel, type TrainRunSettings } from './training';

/** One model of a comparison, without the model itself (plain data, for results.json). */
export type ComparedModel = Omit<TrainedModel, 'model'>;

/** Trains each model in turn on the same data and returns their records. */
export async function runComparison(
  specs: readonly ModelSpec[],
  train: LabeledImages,
  test: LabeledImages,
  settingsFor: (key: string) => TrainRunSettings,
): Promise<ComparedModel[]> {
  const out: ComparedModel[] = [];
  for (const spec of specs) {
    const trained = await trainModel(spec, train, test, settingsFor(spec.key));
    const { model, ...rest } = trained;
    model.dispose();
    out.push(rest);
  }
  return out;
}

const crops = { trainTransform: CROP_TRAIN, testTransform: CROP_TEST } as const;
const input24 = [24, 24, 3] as const;

/** Section 14.2: the plain CNN, the 28-block ResNet and the ReZero ResNet, on the chapter's 24×24 crops. */
export function residualModels(): ModelSpec[] {
  return [
    { key: 'cnn', label: 'plain CNN', build: () => chapterCnn(), ...crops },
    { key: 'resnet', label: 'ResNet', build: () => chapterResnet({ rezero: false, inputShape: input24 }), ...crops },
    { key: 'rezero', label: 'ResNet ReZero', build: () => chapterResnet({ rezero: true, inputShape: input24 }), ...crops },
  ];
}

/** Section 14.3: the ReZero ResNet trained with MixUp (α 0.25). */
export function mixupModels(): ModelSpec[] {
  return [{ key: 'rezero_mixup', label: 'ResNet ReZero + MixUp', build: () => chapterResnet({ rezero: true, inputShape: input24 }), mixupAlpha: 0.25, ...crops }];
}

/** Exercise 3 (on CIFAR-100 when available): bottleneck and fully connected residual blocks, ReZero vs plain. */
export function exercise3Models(classes: number): ModelSpec[] {
  return [
    { key: 'bottleneck_plain', label: 'bottleneck, plain', build: () => bottleneckResnet({ rezero: false, classes, inputShape: input24 }), ...crops },
    { key: 'bottleneck_rezero', label: 'bottleneck, ReZero', build: () => bottleneckResnet({ rezero: true, classes, inputShape: input24 }), ...crops },
    { key: 'dense_plain', label: 'fully connected, plain', build: () => denseResidualNet({ rezero: false, classes, inputShape: input24 }), ...crops },
    { key: 'dense_rezero', label: 'fully connected, ReZero', build: () => denseResidualNet({ rezero: true, classes, inputShape: input24 }), ...crops },
  ];
}

/** Exercise 4: 18 blocks per stage (76 blocks), ReZero vs plain. */
export function exercise4Models(): ModelSpec[] {
  return [
    { key: 'deep_plain', label: 'ResNet, 18 blocks/stage', build: () => chapterResnet({ rezero: false, blocksPerStage: 18, inputShape: input24 }), ...crops },
    { key: 'deep_rezero', label: 'ReZero, 18 blocks/stage', build: () => chapterResnet({ rezero: true, blocksPerStage: 18, inputShape: input24 }), ...crops },
  ];
}

/** Exercise 5: the ReZero ResNet with anti-aliased (blur-pooled) strided convolutions. */
export function exercise5Models(): ModelSpec[] {
  return [{ key: 'rezero_aa', label: 'ReZero, anti-aliased strides', build: () => chapterResnet({ rezero: true, downsample: 'antialiased', inputShape: input24 }), ...crops }];
}

/** Exercise 6: Manifold MixUp (α 2, mixing at the input or after any of the four stages) on the ReZero ResNet. */
export function exercise6Models(classes: number): ModelSpec[] {
  return [
    {
      key: `manifold_${classes}`,
      label: `ReZero + Manifold MixUp (${classes} classes)`,
      build: () => segmentedResnet({ classes, inputShape: input24 }).model,
      step: manifoldStep,
      ...crops,
    },
  ];
}
